// Chinese by default, English on a switch. Terms follow the academy's guidance.
import { createContext, useContext, type ReactNode } from "react";
import type {
  AssessmentState,
  FilingState,
  ProjectState,
  ReviewDecision,
  ReviewStage,
  RiskCategory,
  RiskLevel,
  SensitiveField,
} from "./gql/graphql";

export type Locale = "zh" | "en";

const zh = {
  appTitle: "科技安全风险评估与监测预警平台",
  skipToContent: "跳到主要内容",
  language: "语言",
  switchLanguage: "English",
  switchLanguageLabel: "切换为英文界面",
  signIn: "登录",
  signingIn: "正在登录…",
  signOut: "退出登录",
  username: "用户名",
  password: "密码",
  signInTitle: "登录平台",
  signInHint: "使用本单位分配的账号登录。",
  loading: "加载中…",
  retry: "重试",
  errorGeneric: "出错了：",
  navMyWork: "我的工作",
  navProjects: "科研项目",
  mainNav: "主导航",
  unreadCount: "未读通知",
  inbox: "通知",
  inboxEmpty: "暂无通知。",
  unreadOnly: "只看未读",
  markRead: "标为已读",
  markAllRead: "全部标为已读",
  unread: "未读",
  read: "已读",
  loadMore: "加载更多",
  projects: "科研项目",
  projectsEmpty: "没有符合条件的项目。",
  filters: "筛选",
  search: "搜索项目名称",
  state: "状态",
  level: "风险等级",
  category: "风险类别",
  any: "全部",
  sensitiveOnly: "仅涉及敏感领域",
  deployedByHq: "院机关部署",
  applyFilters: "筛选",
  clearFilters: "清除",
  sort: "排序",
  sortCreated: "创建时间",
  sortTitle: "项目名称",
  sortStart: "开始日期",
  title: "项目名称",
  unit: "承担单位",
  pi: "项目负责人",
  period: "起止日期",
  overallLevel: "总体风险等级",
  notAssessed: "未评估",
  project: "项目",
  notFound: "未找到该项目，或您无权查看。",
  backToProjects: "返回项目列表",
  lifecycle: "生命周期",
  currentState: "当前状态",
  stateSince: "进入时间",
  stateReason: "原因",
  allowedTransitions: "可进行的流转",
  noTransitions: "当前状态下没有可进行的流转。",
  transitionsNote: "状态机允许的流转；是否有权执行由权限决定。",
  timeline: "项目时间线",
  timelineNote: "根据提交、评审、备案、检查与重大变更记录整理。",
  assessment: "科研项目安全风险评估",
  assessmentVersion: "评估版本",
  assessmentState: "评估状态",
  riskPoints: "风险点",
  riskPointsEmpty: "当前评估尚无风险点。",
  description: "风险点描述",
  likelihood: "可能性",
  impact: "影响程度",
  consequences: "可能后果和影响",
  measures: "防范措施",
  noMeasures: "无",
  downloadForm: "下载《科研项目安全风险评估表》",
  members: "项目成员",
  summary: "项目简介",
  sensitiveFields: "敏感领域",
  eventCreated: "提出项目",
  eventSubmitted: "提交评估（第{n}版）",
  eventDecided: "评估结论（第{n}版）",
  eventFiling: "备案",
  eventInspection: "监督检查",
  eventChange: "重大变更",
  eventState: "进入当前状态",
  hazards: "风险隐患",
  rectification: "整改",
  incidents: "事件事故",
  warningList: "警示名录",
  notBuilt: "尚未开发",
  editAssessment: "编辑风险评估",
  editorTitle: "风险评估：{title}",
  editorIntro: "逐项分析七类风险，找出风险点，评估可能性与影响程度，提出防范措施；不涉及的类别须说明理由。",
  notApplicable: "本项目不涉及此类风险",
  notApplicableReason: "不涉及的理由",
  addRiskPoint: "添加风险点",
  removeRiskPoint: "删除此风险点",
  riskPointN: "风险点 {n}",
  levelPreview: "风险等级：{level}",
  measureN: "防范措施 {n}",
  measureDue: "完成期限",
  addMeasure: "添加防范措施",
  removeMeasure: "删除此措施",
  save: "保存",
  saving: "正在保存…",
  saved: "已保存（第{n}版草稿）。",
  required: "必填。",
  fixErrors: "请先修改标出的错误。",
  reloadAssessment: "重新加载",
  notEditable: "当前评估不是草稿，不能编辑。",
  matrix: "可能性 × 影响程度矩阵",
  matrixNote: "每格显示该格中的风险点数，颜色为该格的风险等级。",
  submitForReview: "提交评审",
  confirmSubmit: "提交后评估不能再修改，确定提交评审吗？",
  submitted: "已提交评审。",
  dependencies: "关键技术、材料、设备依赖（保持不变）",
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appTitle: "S&T Security Risk Assessment and Early-Warning Platform",
  skipToContent: "Skip to main content",
  language: "Language",
  switchLanguage: "中文",
  switchLanguageLabel: "Switch to Chinese",
  signIn: "Sign in",
  signingIn: "Signing in…",
  signOut: "Sign out",
  username: "Username",
  password: "Password",
  signInTitle: "Sign in to the platform",
  signInHint: "Use the account your unit gave you.",
  loading: "Loading…",
  retry: "Retry",
  errorGeneric: "Something went wrong: ",
  navMyWork: "My work",
  navProjects: "Research projects",
  mainNav: "Main navigation",
  unreadCount: "Unread notices",
  inbox: "Notices",
  inboxEmpty: "No notices.",
  unreadOnly: "Unread only",
  markRead: "Mark read",
  markAllRead: "Mark all read",
  unread: "Unread",
  read: "Read",
  loadMore: "Load more",
  projects: "Research projects",
  projectsEmpty: "No project matches.",
  filters: "Filters",
  search: "Search project titles",
  state: "State",
  level: "Risk level",
  category: "Risk category",
  any: "Any",
  sensitiveOnly: "Sensitive fields only",
  deployedByHq: "Deployed by HQ",
  applyFilters: "Filter",
  clearFilters: "Clear",
  sort: "Sort by",
  sortCreated: "Created",
  sortTitle: "Title",
  sortStart: "Start date",
  title: "Title",
  unit: "Institute",
  pi: "Principal investigator",
  period: "Period",
  overallLevel: "Overall risk level",
  notAssessed: "Not assessed",
  project: "Project",
  notFound: "No such project, or you may not see it.",
  backToProjects: "Back to projects",
  lifecycle: "Lifecycle",
  currentState: "Current state",
  stateSince: "Since",
  stateReason: "Reason",
  allowedTransitions: "Allowed transitions",
  noTransitions: "No transition is allowed from this state.",
  transitionsNote: "What the state machine allows; your permissions decide whether you may.",
  timeline: "Project timeline",
  timelineNote: "Put together from submissions, reviews, filings, inspections and major changes.",
  assessment: "Research project security risk assessment",
  assessmentVersion: "Assessment version",
  assessmentState: "Assessment state",
  riskPoints: "Risk points",
  riskPointsEmpty: "The current assessment has no risk point yet.",
  description: "Risk point",
  likelihood: "Likelihood",
  impact: "Impact",
  consequences: "Consequences and impact",
  measures: "Measures",
  noMeasures: "None",
  downloadForm: "Download the assessment form",
  members: "Members",
  summary: "Summary",
  sensitiveFields: "Sensitive fields",
  eventCreated: "Proposed",
  eventSubmitted: "Assessment v{n} submitted",
  eventDecided: "Assessment v{n} decided",
  eventFiling: "Filing",
  eventInspection: "Inspection",
  eventChange: "Major change",
  eventState: "Entered the current state",
  hazards: "Hazards",
  rectification: "Rectification",
  incidents: "Incidents",
  warningList: "Warning list",
  notBuilt: "Not built yet",
  editAssessment: "Edit the risk assessment",
  editorTitle: "Risk assessment: {title}",
  editorIntro: "Go through the seven categories: find the risk points, rate likelihood and impact, plan measures; say why a category does not apply.",
  notApplicable: "This category does not apply to the project",
  notApplicableReason: "Why it does not apply",
  addRiskPoint: "Add a risk point",
  removeRiskPoint: "Remove this risk point",
  riskPointN: "Risk point {n}",
  levelPreview: "Risk level: {level}",
  measureN: "Measure {n}",
  measureDue: "Due",
  addMeasure: "Add a measure",
  removeMeasure: "Remove this measure",
  save: "Save",
  saving: "Saving…",
  saved: "Saved (draft version {n}).",
  required: "Required.",
  fixErrors: "Please correct the marked fields first.",
  reloadAssessment: "Reload",
  notEditable: "The current assessment is not a draft and cannot be edited.",
  matrix: "Likelihood × impact matrix",
  matrixNote: "Each cell shows how many risk points it holds; its colour is the cell's level.",
  submitForReview: "Submit for review",
  confirmSubmit: "The assessment cannot be changed once submitted. Submit it for review?",
  submitted: "Submitted for review.",
  dependencies: "Technology, material and equipment dependencies (kept as they are)",
};

const projectStates: Record<Locale, Record<ProjectState, string>> = {
  zh: {
    DRAFT: "草稿",
    SUBMITTED: "已提交评审",
    RETURNED: "退回修改",
    REJECTED: "未通过",
    APPROVED: "已立项",
    FILING: "备案中",
    IMPLEMENTING: "实施中",
    SUSPENDED: "已暂停",
    OUTCOME: "成果阶段",
    CLOSING: "结题中",
    CLOSED: "已结题",
    TERMINATED: "已终止",
  },
  en: {
    DRAFT: "Draft",
    SUBMITTED: "Submitted for review",
    RETURNED: "Returned",
    REJECTED: "Rejected",
    APPROVED: "Approved",
    FILING: "Filing",
    IMPLEMENTING: "Implementing",
    SUSPENDED: "Suspended",
    OUTCOME: "Outcome stage",
    CLOSING: "Closing",
    CLOSED: "Closed",
    TERMINATED: "Terminated",
  },
};

const riskLevels: Record<Locale, Record<RiskLevel, string>> = {
  zh: { LOW: "低", MEDIUM: "中", HIGH: "高", CRITICAL: "重大" },
  en: { LOW: "Low", MEDIUM: "Medium", HIGH: "High", CRITICAL: "Critical" },
};

const categories: Record<Locale, Record<RiskCategory, string>> = {
  zh: {
    CHOKEPOINT: "关键技术、材料、设备被外部“卡脖子”风险",
    SAFETY: "项目实施过程中发生重大人员伤亡、财产损失风险",
    COMPLIANCE: "违反科技管理相关法律法规风险",
    DATA_SECURITY: "科学数据安全风险",
    ETHICS: "科技伦理道德风险",
    PUBLIC_OPINION: "社会舆情风险",
    CONFIDENTIALITY: "保密风险",
  },
  en: {
    CHOKEPOINT: "Chokepoint (key technology, materials, equipment)",
    SAFETY: "Major casualties or property loss",
    COMPLIANCE: "Breach of S&T management law",
    DATA_SECURITY: "Scientific data security",
    ETHICS: "S&T ethics",
    PUBLIC_OPINION: "Public opinion",
    CONFIDENTIALITY: "Confidentiality",
  },
};

const assessmentStates: Record<Locale, Record<AssessmentState, string>> = {
  zh: { DRAFT: "草稿", SUBMITTED: "评审中", PASSED: "通过", RETURNED: "退回修改", FAILED: "未通过" },
  en: { DRAFT: "Draft", SUBMITTED: "Under review", PASSED: "Passed", RETURNED: "Returned", FAILED: "Failed" },
};

const sensitive: Record<Locale, Record<SensitiveField, string>> = {
  zh: {
    ARTIFICIAL_INTELLIGENCE: "人工智能",
    GENE_EDITING: "基因编辑",
    MEDICAL_DIAGNOSIS: "医疗诊断",
    AUTONOMOUS_DRIVING: "自动驾驶",
    DRONES: "无人机",
    SERVICE_ROBOTS: "服务机器人",
  },
  en: {
    ARTIFICIAL_INTELLIGENCE: "Artificial intelligence",
    GENE_EDITING: "Gene editing",
    MEDICAL_DIAGNOSIS: "Medical diagnosis",
    AUTONOMOUS_DRIVING: "Autonomous driving",
    DRONES: "Drones",
    SERVICE_ROBOTS: "Service robots",
  },
};

const transitions: Record<Locale, Record<string, string>> = {
  zh: {
    submit: "提交评审",
    return: "退回修改",
    reject: "不予通过",
    approve: "立项",
    file: "备案",
    start: "开始实施",
    suspend: "暂停",
    resume: "恢复实施",
    enter_outcome: "进入成果阶段",
    start_closing: "申请结题",
    close: "结题",
    terminate: "终止",
  },
  en: {
    submit: "Submit for review",
    return: "Return",
    reject: "Reject",
    approve: "Approve",
    file: "File",
    start: "Start",
    suspend: "Suspend",
    resume: "Resume",
    enter_outcome: "Enter the outcome stage",
    start_closing: "Start closing",
    close: "Close",
    terminate: "Terminate",
  },
};

const reviewStages: Record<Locale, Record<ReviewStage, string>> = {
  zh: { INSTITUTE: "单位审核", COORDINATION: "协调小组组长审核", HQ: "院机关复核" },
  en: { INSTITUTE: "Institute review", COORDINATION: "Coordination group sign-off", HQ: "HQ re-review" },
};

const reviewDecisions: Record<Locale, Record<ReviewDecision, string>> = {
  zh: { PASS: "通过", RETURN: "退回修改", FAIL: "不通过" },
  en: { PASS: "Passed", RETURN: "Returned", FAIL: "Failed" },
};

const filingStates: Record<Locale, Record<FilingState, string>> = {
  zh: { SUBMITTED: "已报送", ARGUMENTATION_REQUIRED: "需组织论证", RECORDED: "已备案" },
  en: { SUBMITTED: "Submitted", ARGUMENTATION_REQUIRED: "Argumentation required", RECORDED: "Recorded" },
};

export const PROJECT_STATES = Object.keys(projectStates.zh) as ProjectState[];
export const RISK_LEVELS = Object.keys(riskLevels.zh) as RiskLevel[];
export const RISK_CATEGORIES = Object.keys(categories.zh) as RiskCategory[];

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  projectState: (s: ProjectState) => string;
  riskLevel: (l: RiskLevel) => string;
  category: (c: RiskCategory) => string;
  assessmentState: (s: AssessmentState) => string;
  sensitiveField: (f: SensitiveField) => string;
  transition: (name: string) => string;
  reviewStage: (s: ReviewStage) => string;
  filingState: (s: FilingState) => string;
  reviewDecision: (d: ReviewDecision) => string;
  dateTime: (iso: string) => string;
  date: (iso: string) => string;
}

export function makeI18n(locale: Locale): I18n {
  const dict = locale === "zh" ? zh : en;
  const tag = locale === "zh" ? "zh-CN" : "en-GB";
  return {
    locale,
    t: (key, vars) =>
      dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`)),
    projectState: (s) => projectStates[locale][s],
    riskLevel: (l) => riskLevels[locale][l],
    category: (c) => categories[locale][c],
    assessmentState: (s) => assessmentStates[locale][s],
    sensitiveField: (f) => sensitive[locale][f],
    transition: (name) => transitions[locale][name] ?? name,
    reviewStage: (s) => reviewStages[locale][s],
    filingState: (s) => filingStates[locale][s],
    reviewDecision: (d) => reviewDecisions[locale][d],
    dateTime: (iso) =>
      new Date(iso).toLocaleString(tag, { dateStyle: "medium", timeStyle: "short" }),
    date: (iso) => new Date(iso).toLocaleDateString(tag, { dateStyle: "medium" }),
  };
}

export const I18nContext = createContext<{ i18n: I18n; setLocale: (l: Locale) => void } | null>(
  null,
);

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nContext");
  return ctx.i18n;
}

export function useSetLocale(): (l: Locale) => void {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useSetLocale outside I18nContext");
  return ctx.setLocale;
}

export type { ReactNode };
