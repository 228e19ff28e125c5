// The words of tenant administration (people, departments, the unit picker) and of the two task
// kinds added to "tasks waiting for me" (filing decisions, outcome aspect reviews).
import type { UnitKind } from "./gql/graphql";
import { useI18n, type Locale } from "./i18n";

const zh = {
  unitToManage: "管理的单位",
  ownUnitOnly: "您管理本单位的用户与部门。",
  manage: "管理",
  closeManage: "收起",
  manageUser: "管理用户“{user}”",
  status: "状态",
  active: "正常",
  profile: "基本信息",
  department: "所属部门",
  noDepartment: "（未设部门）",
  saveProfile: "保存基本信息",
  profileSaved: "已保存“{user}”的基本信息。",
  nothingChanged: "没有修改。",
  emailInvalid: "请填写有效的电子邮箱地址。",
  setPassword: "设置密码",
  newPassword: "新密码",
  passwordHint: "须达到平台规定的长度（默认至少 12 个字符），含小写字母、大写字母、数字、其他字符中的三类，且不得包含用户名。",
  setPasswordButton: "设置新密码",
  confirmSetPassword: "为“{user}”设置新密码？其现有登录会话将全部结束。",
  passwordSet: "已为“{user}”设置新密码。",
  account: "账号状态",
  disable: "停用账号",
  enable: "重新启用账号",
  confirmDisable: "停用“{user}”？停用后该用户不能登录，现有登录会话立即结束。",
  confirmEnable: "重新启用“{user}”？该用户将可以再次登录。",
  disabledNow: "已停用“{user}”。",
  enabledNow: "已重新启用“{user}”。",
  disabledNote: "该账号已停用，不能登录。",
  departments: "部门",
  departmentsEmpty: "本单位尚未设立部门。",
  departmentsInstituteOnly: "部门设在院属单位；院机关和分院不设部门。",
  departmentName: "部门名称",
  departmentKind: "部门类别",
  createDepartment: "新建部门",
  confirmCreateDepartment: "在“{unit}”新建部门“{name}”？部门建立后不能删除。",
  departmentCreated: "已新建部门“{name}”。",
  dept_research: "科研部门",
  dept_research_management: "科研管理部门",
  dept_safety_management: "安全管理部门",
  dept_public_opinion: "舆情应对部门",
  dept_other: "其他部门",
  required: "请填写此项。",
  taskFiling: "待院机关备案决定",
  taskArgumentation: "论证后待备案决定",
  taskOutcomeReview: "待成果发布审查（{aspects}）",
} as const;

export type AdminKey = keyof typeof zh;

const en: Record<AdminKey, string> = {
  unitToManage: "Unit to manage",
  ownUnitOnly: "You manage the people and departments of your own unit.",
  manage: "Manage",
  closeManage: "Close",
  manageUser: "Manage user “{user}”",
  status: "Status",
  active: "Active",
  profile: "Profile",
  department: "Department",
  noDepartment: "(no department)",
  saveProfile: "Save profile",
  profileSaved: "Saved the profile of “{user}”.",
  nothingChanged: "Nothing was changed.",
  emailInvalid: "Enter a valid e-mail address.",
  setPassword: "Set password",
  newPassword: "New password",
  passwordHint:
    "As long as the platform requires (12 characters by default), with three of: lower-case, upper-case, digits, other characters; not containing the username.",
  setPasswordButton: "Set the new password",
  confirmSetPassword: "Set a new password for “{user}”? All their current sign-in sessions end.",
  passwordSet: "A new password is set for “{user}”.",
  account: "Account",
  disable: "Disable the account",
  enable: "Re-enable the account",
  confirmDisable: "Disable “{user}”? They can no longer sign in and their current sessions end now.",
  confirmEnable: "Re-enable “{user}”? They can sign in again.",
  disabledNow: "“{user}” is disabled.",
  enabledNow: "“{user}” is enabled again.",
  disabledNote: "This account is disabled and cannot sign in.",
  departments: "Departments",
  departmentsEmpty: "This unit has no departments yet.",
  departmentsInstituteOnly: "Departments belong to institutes; HQ and branch academies have none.",
  departmentName: "Department name",
  departmentKind: "Kind of department",
  createDepartment: "Create department",
  confirmCreateDepartment: "Create the department “{name}” in “{unit}”? Departments cannot be deleted.",
  departmentCreated: "Department “{name}” created.",
  dept_research: "Research department",
  dept_research_management: "Research management department",
  dept_safety_management: "Safety management department",
  dept_public_opinion: "Public-opinion response department",
  dept_other: "Other department",
  required: "Please fill this in.",
  taskFiling: "Filing awaiting HQ's decision",
  taskArgumentation: "Argued; filing awaiting HQ's decision",
  taskOutcomeReview: "Outcome release review ({aspects})",
};

/** The kinds of department the guidance names inside an institute (ORG-INST). */
export const DEPARTMENT_KINDS = [
  "research",
  "research_management",
  "safety_management",
  "public_opinion",
  "other",
] as const;

const unitKinds: Record<Locale, Record<UnitKind, string>> = {
  zh: { HQ: "院机关", BRANCH: "分院", INSTITUTE: "院属单位" },
  en: { HQ: "HQ", BRANCH: "Branch academies", INSTITUTE: "Institutes" },
};

export function useAdminText() {
  const { locale } = useI18n();
  const dict = locale === "zh" ? zh : en;
  const at = (key: AdminKey, vars?: Record<string, string | number>) =>
    dict[key].replace(/\{(\w+)\}/g, (_, n: string) => String(vars?.[n] ?? `{${n}}`));
  return {
    at,
    unitKind: (k: UnitKind) => unitKinds[locale][k],
    departmentKind: (k: string) =>
      (DEPARTMENT_KINDS as readonly string[]).includes(k) ? at(`dept_${k}` as AdminKey) : k,
  };
}
