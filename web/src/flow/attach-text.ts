// The words of attachments: outcome material, permit documents, a hazard's and a unit's own
// documents, reopening a hazard, a ban's end date and rewards to a person. Kept apart from
// text.ts and records-text.ts so screens built at the same time do not edit one dictionary.
import { useI18n, type Locale } from "../i18n";

const zh = {
  material: "成果材料",
  materialFile: "成果材料文件（可选）",
  materialNone: "未附成果材料。",
  permitDocument: "许可文件",
  permitFile: "许可文件（可选）",
  permitNoDocument: "未附许可文件",
  documentGone: "文件不可查看",
  download: "下载",
  uploading: "正在上传 {pct}%",
  hazardDocuments: "隐患相关文档",
  hazardDocumentsIntro: "检查报告、会议纪要等与本隐患有关的文档（整改材料在“整改材料”中上传）。",
  documentsEmpty: "尚无文档。",
  docTitle: "文档名称",
  docKind: "文档类型",
  sensitivity: "密级",
  file: "文件",
  newVersionOf: "上传为新版本（可选）",
  newDocument: "新文档",
  upload: "上传",
  uploaded: "已上传 {name}。",
  version: "版本",
  versions: "版本",
  withdrawn: "已撤回",
  required: "必填。",
  loading: "正在加载…",
  reopen: "重新打开隐患",
  reopenIntro: "已销号的隐患如发现整改不到位或隐患复现，可重新打开，重新制定整改方案。",
  reopenReason: "重新打开原因",
  confirmReopen: "确定重新打开隐患“{title}”吗？此操作会记录在案，不可撤销。",
  reopened: "隐患已重新打开。",
  reopenedTimes: "重新打开次数",
  banEndsOn: "禁止期限至（可选，不填为直至解除）",
  banEndBeforeStart: "禁止期限须晚于决定生效之日（今天）。",
  recipientKind: "奖励对象",
  recipientUnit: "单位",
  recipientPerson: "个人",
  person: "人员",
  choosePerson: "请先选择单位，再选择人员",
  personsLoading: "正在加载人员…",
  navUnitDocuments: "本单位文档",
  unitDocuments: "本单位文档",
  unitDocumentsIntro: "不属于具体项目的本单位文档：应急预案、责任书、承诺书、会议纪要等。",
  unit: "单位",
  otherUnitReadOnly: "只可查看其他单位的文档；上传仅限本单位。",
} as const;

export type AttachKey = keyof typeof zh;

const en: Record<AttachKey, string> = {
  material: "Outcome material",
  materialFile: "Outcome material file (optional)",
  materialNone: "No material attached.",
  permitDocument: "Permit document",
  permitFile: "Permit document (optional)",
  permitNoDocument: "No permit document",
  documentGone: "File not available to you",
  download: "Download",
  uploading: "Uploading {pct}%",
  hazardDocuments: "Documents about this hazard",
  hazardDocumentsIntro:
    "Inspection reports, minutes and other documents about this hazard (rectification evidence is uploaded under “Rectification evidence”).",
  documentsEmpty: "No documents yet.",
  docTitle: "Title",
  docKind: "Kind",
  sensitivity: "Sensitivity",
  file: "File",
  newVersionOf: "Upload as a new version of (optional)",
  newDocument: "A new document",
  upload: "Upload",
  uploaded: "Uploaded {name}.",
  version: "version",
  versions: "versions",
  withdrawn: "Withdrawn",
  required: "Required.",
  loading: "Loading…",
  reopen: "Reopen the hazard",
  reopenIntro: "A closed hazard whose rectification proves inadequate, or which recurs, may be reopened and planned again.",
  reopenReason: "Reason for reopening",
  confirmReopen: "Reopen the hazard “{title}”? This is recorded and cannot be undone.",
  reopened: "The hazard is open again.",
  reopenedTimes: "Times reopened",
  banEndsOn: "Ban ends on (optional; empty: until lifted)",
  banEndBeforeStart: "The ban must end after the day the decision takes effect (today).",
  recipientKind: "Rewarded",
  recipientUnit: "The institute",
  recipientPerson: "A person",
  person: "Person",
  choosePerson: "Choose the institute first, then the person",
  personsLoading: "Loading people…",
  navUnitDocuments: "Unit documents",
  unitDocuments: "Unit documents",
  unitDocumentsIntro:
    "The unit's own documents, not tied to a project: emergency response plans, responsibility and commitment letters, minutes.",
  unit: "Unit",
  otherUnitReadOnly: "Other units' documents are read-only; you upload to your own unit only.",
};

export function useAttachText() {
  const { locale } = useI18n();
  const dict: Record<AttachKey, string> = (locale as Locale) === "zh" ? zh : en;
  return {
    at: (key: AttachKey, vars?: Record<string, string | number>) =>
      dict[key].replace(/\{(\w+)\}/g, (_, n: string) => String(vars?.[n] ?? `{${n}}`)),
  };
}
