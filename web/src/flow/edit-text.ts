// The words of editing on the project page and in the assessment editor: project details, major
// changes (R-CHANGE), dependencies, measure owners and progress, review minutes and inspection
// reports. Kept apart from i18n.tsx and flow/text.ts so parallel work does not edit one dictionary.
import type { MeasureStatus } from "../gql/graphql";
import { useI18n, type Locale } from "../i18n";

const zh = {
  // Project details (updateProject).
  editProject: "修改项目信息",
  editIntro: "立项前（草稿或被退回修改时），项目负责人和项目成员可修改项目信息；立项后如有重大变化，请报告重大变化。",
  editSave: "保存修改",
  cancel: "取消",
  editSaved: "项目信息已保存。",
  title: "项目名称",
  department: "所属部门",
  pi: "项目负责人",
  startDate: "开始日期",
  endDate: "结束日期",
  summary: "项目简介",
  fundingSource: "经费来源",
  researchFields: "研究领域（以逗号分隔）",
  members: "项目成员",
  sensitiveFields: "敏感领域",
  flags: "备案与审批",
  deployedByHq: "院机关部署的项目",
  hqDepartment: "部署项目的院机关业务管理部门",
  internationalCooperation: "重大国际合作项目",
  nationalFilingRequired: "国家明令要求备案",
  nationalApprovalRequired: "须经国家行政审批（许可）",
  majorImpact: "可能对国家安全或我院声誉造成重大影响",
  choose: "请选择",
  required: "必填。",
  endBeforeStart: "结束日期不能早于开始日期。",
  loadingPeople: "正在加载本单位人员…",
  working: "正在提交…",
  // Major change (declareMajorChange, R-CHANGE).
  majorChanges: "重大变化",
  majorChangesIntro:
    "如遇重大变化，科研管理部门应视情况重新进行科技安全风险评估，重新部署防范措施，及时上报院业务管理部门，必要时暂时停止项目实施，落实有效措施后再重新启动。",
  majorChangesEmpty: "暂无重大变化记录。",
  declareMajorChange: "报告重大变化",
  changeDescription: "变化情况说明",
  changeSuspend: "暂停项目实施，落实有效措施后再重新启动",
  confirmChange:
    "报告重大变化后，项目将重新进行风险评估（生成新版本评估草稿），并上报院业务管理部门。此操作不可撤销，确定报告吗？",
  confirmChangeSuspend:
    "报告重大变化后，项目将暂停实施并重新进行风险评估（生成新版本评估草稿），并上报院业务管理部门。此操作不可撤销，确定报告吗？",
  changeDeclared: "已报告重大变化，请重新进行风险评估。",
  changeOpen: "重新评估中",
  changeResolved: "已完成重新评估",
  changeSuspended: "已暂停实施",
  changeBy: "报告人：{who}",
  changePending: "上一次重大变化尚在重新评估，完成后才能再次报告。",
  // Measures on the project page (setMeasureStatus).
  ownerText: "责任人：{who}",
  statusText: "落实情况：{status}",
  statusOf: "落实情况：{measure}",
  setStatus: "更新",
  setStatusOf: "更新落实情况：{measure}",
  statusSaved: "已更新“{measure}”的落实情况。",
  noOwner: "未指定",
  // The assessment editor: owners and dependencies.
  ownerOf: "措施 {n} 的责任人",
  dependencies: "关键技术、材料、设备依赖（“卡脖子”风险）",
  dependenciesIntro: "列出项目依赖的、可能被外部“卡脖子”的关键技术、材料、设备，供院机关掌握全院依赖情况。",
  dependenciesEmpty: "尚未记录依赖。",
  dependenciesNotApplicable: "“卡脖子”风险已标为不涉及，不能记录依赖。",
  dependencyN: "依赖 {n}",
  depItem: "名称",
  depKind: "类型",
  depCountry: "来源国家或地区",
  depSupplier: "供应商（可选）",
  depSubstitute: "有国内替代",
  depStock: "库存或供货周期（可选）",
  addDependency: "添加依赖",
  removeDependency: "删除依赖",
  // Documents of a review or an inspection.
  minutesFile: "会议纪要文件",
  minutesTitle: "评审会议纪要",
  minutesNeeded: "会议评审须附会议纪要。",
  reportFile: "检查报告文件（可选）",
  reportTitle: "监督检查报告",
  uploading: "正在上传 {pct}%",
  documentAttached: "已附：{name}",
};

export type EditKey = keyof typeof zh;

const en: Record<EditKey, string> = {
  editProject: "Edit project details",
  editIntro:
    "Before approval (a draft or a returned project) the principal investigator and the members may edit the details; after approval, declare a major change instead.",
  editSave: "Save changes",
  cancel: "Cancel",
  editSaved: "The project details are saved.",
  title: "Title",
  department: "Department",
  pi: "Principal investigator",
  startDate: "Start date",
  endDate: "End date",
  summary: "Summary",
  fundingSource: "Funding source",
  researchFields: "Research fields (comma separated)",
  members: "Members",
  sensitiveFields: "Sensitive fields",
  flags: "Filing and approval",
  deployedByHq: "Deployed by HQ",
  hqDepartment: "HQ business department deploying it",
  internationalCooperation: "Major international cooperation",
  nationalFilingRequired: "The state requires filing",
  nationalApprovalRequired: "Needs national administrative approval (permit)",
  majorImpact: "Could seriously affect national security or the academy's reputation",
  choose: "Choose",
  required: "Required.",
  endBeforeStart: "The end date cannot be before the start date.",
  loadingPeople: "Loading the unit's people…",
  working: "Submitting…",
  majorChanges: "Major changes",
  majorChangesIntro:
    "On a major change, research management re-assesses the risks, redeploys the measures, reports to the HQ business department and, where necessary, suspends the project until effective measures are in place.",
  majorChangesEmpty: "No major change recorded.",
  declareMajorChange: "Declare a major change",
  changeDescription: "What changed",
  changeSuspend: "Suspend the project until effective measures are in place",
  confirmChange:
    "After a major change the project is re-assessed (a new draft version of the assessment) and HQ's business department is told. This cannot be undone. Declare it?",
  confirmChangeSuspend:
    "After a major change the project is suspended and re-assessed (a new draft version of the assessment) and HQ's business department is told. This cannot be undone. Declare it?",
  changeDeclared: "Major change declared; please re-assess the risks.",
  changeOpen: "Being re-assessed",
  changeResolved: "Re-assessed",
  changeSuspended: "Suspended",
  changeBy: "Declared by {who}",
  changePending: "The last major change is still being re-assessed; declare another once it is done.",
  ownerText: "Owner: {who}",
  statusText: "Progress: {status}",
  statusOf: "Progress: {measure}",
  setStatus: "Update",
  setStatusOf: "Update progress: {measure}",
  statusSaved: "Progress of “{measure}” updated.",
  noOwner: "Not assigned",
  ownerOf: "Owner of measure #{n}",
  dependencies: "Key technology, material and equipment dependencies (chokepoints)",
  dependenciesIntro:
    "List the key technologies, materials and equipment the project relies on that outside parties could cut off, so HQ sees the academy's exposure.",
  dependenciesEmpty: "No dependency recorded.",
  dependenciesNotApplicable: "The chokepoint category is marked not applicable, so no dependency can be recorded.",
  dependencyN: "Dependency {n}",
  depItem: "Item",
  depKind: "Kind",
  depCountry: "Source country or region",
  depSupplier: "Supplier (optional)",
  depSubstitute: "A domestic substitute exists",
  depStock: "Stock or lead time (optional)",
  addDependency: "Add a dependency",
  removeDependency: "Remove the dependency",
  minutesFile: "Meeting minutes file",
  minutesTitle: "Review meeting minutes",
  minutesNeeded: "A review by meeting attaches its minutes.",
  reportFile: "Inspection report file (optional)",
  reportTitle: "Supervision inspection report",
  uploading: "Uploading {pct}%",
  documentAttached: "Attached: {name}",
};

const measureStatuses: Record<Locale, Record<MeasureStatus, string>> = {
  zh: { PLANNED: "待落实", IN_PROGRESS: "落实中", DONE: "已落实" },
  en: { PLANNED: "Planned", IN_PROGRESS: "In progress", DONE: "Done" },
};
export const MEASURE_STATUSES = Object.keys(measureStatuses.zh) as MeasureStatus[];

/** The server's item kinds of a dependency (ITEM_KINDS in server/projects/assessments.py). */
const itemKinds: Record<Locale, Record<string, string>> = {
  zh: { technology: "技术", material: "材料", equipment: "设备" },
  en: { technology: "Technology", material: "Material", equipment: "Equipment" },
};
export const ITEM_KINDS = Object.keys(itemKinds.zh);

export function useEditText() {
  const { locale } = useI18n();
  const dict = locale === "zh" ? zh : en;
  return {
    et: (key: EditKey, vars?: Record<string, string | number>) =>
      dict[key].replace(/\{(\w+)\}/g, (_, n: string) => String(vars?.[n] ?? `{${n}}`)),
    measureStatus: (s: MeasureStatus) => measureStatuses[locale][s],
    itemKind: (k: string) => itemKinds[locale][k] ?? k,
  };
}
