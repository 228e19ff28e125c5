// Users and roles for tenant admins: the people of their unit, create a user, grant and revoke
// roles, edit name, e-mail and department, set a password, disable and re-enable, departments.
// A platform admin picks the unit to manage; a tenant admin manages only their own.
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { request, userError, type FieldError } from "../api";
import { useAdminText, DEPARTMENT_KINDS } from "../admin-text";
import { Field, FormStatus, useForm } from "../flow/forms";
import { graphql } from "../gql";
import type { Role, UnitDepartmentsQuery, UnitKind, UnitUsersQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useHq } from "../i18n-hq";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";
import "./users.css";

const UnitUsersDoc = graphql(`
  query UnitUsers($unit: ID!) {
    orgUnit(id: $unit) {
      id
      kind
      name
      nameEn
    }
    users(orgUnitId: $unit, first: 100) {
      nodes {
        id
        username
        displayName
        email
        disabled
        departmentId
        roles {
          role
          titleZh
        }
      }
    }
    roles {
      role
      titleZh
      unitKind
    }
  }
`);

// Asked only of institutes: departments belong to them, and HQ and branches have none to read.
const UnitDepartmentsDoc = graphql(`
  query UnitDepartments($unit: ID!) {
    orgUnit(id: $unit) {
      id
      departments {
        id
        name
        kind
      }
    }
  }
`);

const AdminUnitsDoc = graphql(`
  query AdminUnits {
    orgUnits(first: 100) {
      nodes {
        id
        kind
        code
        name
        nameEn
      }
    }
  }
`);

const UpdateUserDoc = graphql(`
  mutation AdminUpdateUser($input: UpdateUserInput!) {
    updateUser(input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const SetUserDisabledDoc = graphql(`
  mutation SetUserDisabled($user: ID!, $disabled: Boolean!) {
    setUserDisabled(userId: $user, disabled: $disabled) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const SetPasswordDoc = graphql(`
  mutation AdminSetPassword($input: SetPasswordInput!) {
    setPassword(input: $input) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const CreateDepartmentDoc = graphql(`
  mutation CreateDepartment($unit: ID!, $name: String!, $kind: String!) {
    createDepartment(orgUnitId: $unit, name: $name, kind: $kind) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const CreateUserDoc = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      __typename
      ... on UserSaved {
        user {
          id
        }
      }
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const GrantDoc = graphql(`
  mutation GrantRole($user: ID!, $role: Role!) {
    grantRole(userId: $user, role: $role) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

const RevokeDoc = graphql(`
  mutation RevokeRole($user: ID!, $role: Role!) {
    revokeRole(userId: $user, role: $role) {
      __typename
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

type Person = UnitUsersQuery["users"]["nodes"][number];
type RoleRow = UnitUsersQuery["roles"][number];
type Dept = NonNullable<UnitDepartmentsQuery["orgUnit"]>["departments"][number];

function roleTitle(locale: string, role: { role: Role; titleZh: string }): string {
  if (locale !== "en") return role.titleZh;
  const s = role.role.toLowerCase().replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const idPart = (id: string) => id.replace(/[^A-Za-z0-9]/g, "");

export function Users() {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const { at } = useAdminText();
  const { viewer } = useSession();
  const ownUnit = viewer?.orgUnit?.id ?? "";
  // Only a platform admin picks another unit; anyone else's ?unit= is ignored (the server refuses too).
  const platform = !!viewer?.roles.some((r) => r.role === "PLATFORM_ADMIN");
  const [params, setParams] = useSearchParams();
  const unitId = (platform && params.get("unit")) || ownUnit;
  const data = useLoad(async () => {
    const unit = await request(UnitUsersDoc, { unit: unitId });
    const departments =
      unit.orgUnit?.kind === "INSTITUTE"
        ? ((await request(UnitDepartmentsDoc, { unit: unitId })).orgUnit?.departments ?? [])
        : [];
    return { ...unit, departments };
  }, [unitId]);
  const [status, setStatus] = useState<string | null>(null);
  const kind = data.data?.orgUnit?.kind;
  const roles = (data.data?.roles ?? []).filter((r) => !kind || r.unitKind === kind);
  const people = data.data?.users.nodes ?? [];
  const departments = data.data?.departments ?? [];
  const current = data.data?.orgUnit?.id === unitId ? data.data : undefined;

  const changed = (message: string) => {
    setStatus(message);
    data.reload();
  };

  return (
    <>
      <h1 tabIndex={-1}>{h("usersTitle")}</h1>
      {platform ? (
        <UnitPicker
          value={unitId}
          onChange={(id) => {
            setStatus(null);
            setParams(id === ownUnit ? {} : { unit: id });
          }}
        />
      ) : (
        <p className="hint">{at("ownUnitOnly")}</p>
      )}
      {data.loading && !current && <Loading />}
      {data.error && <ErrorBox error={data.error} retry={data.reload} />}
      {current && (
        <CreateUser
          key={unitId}
          unitId={unitId}
          roles={roles}
          departments={departments}
          onCreated={() => changed(h("created"))}
        />
      )}
      <p role="status" aria-live="polite" className="ok" data-testid="users-status">
        {status}
      </p>
      <section aria-labelledby="users-title">
        <h2 id="users-title">
          {h("unitUsers")} · {hq.unitName(current?.orgUnit)}
        </h2>
        {current && people.length === 0 && <Empty>{h("usersEmpty")}</Empty>}
        {current && people.length > 0 && (
          <div className="table-wrap">
            <table className="users-table" data-testid="users">
              <thead>
                <tr>
                  <th scope="col">{i18n.t("username")}</th>
                  <th scope="col">{h("displayName")}</th>
                  <th scope="col">{h("email")}</th>
                  <th scope="col">{at("department")}</th>
                  <th scope="col">{h("roles")}</th>
                  <th scope="col">{h("grant")}</th>
                  <th scope="col">{at("manage")}</th>
                </tr>
              </thead>
              <tbody>
                {people.map((p) => (
                  <UserRow
                    key={p.id}
                    person={p}
                    roles={roles}
                    departments={departments}
                    self={p.id === viewer?.user?.id}
                    onChanged={(message) => changed(message ?? h("saved"))}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {current && (
        <Departments
          key={`d-${unitId}`}
          unitId={unitId}
          unitName={hq.unitName(current.orgUnit)}
          kind={current.orgUnit?.kind}
          departments={departments}
          onCreated={(name) => changed(at("departmentCreated", { name }))}
        />
      )}
    </>
  );
}

function UnitPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const hq = useHq();
  const { at, unitKind } = useAdminText();
  const units = useLoad(() => request(AdminUnitsDoc), []);
  const nodes = units.data?.orgUnits.nodes ?? [];
  const kinds: UnitKind[] = ["HQ", "BRANCH", "INSTITUTE"];
  return (
    <div className="field unit-picker">
      <label htmlFor="admin-unit">{at("unitToManage")}</label>
      {units.error && <ErrorBox error={units.error} retry={units.reload} />}
      <select
        id="admin-unit"
        value={value}
        disabled={!units.data}
        aria-busy={units.loading || undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        {!units.data && <option value={value}>…</option>}
        {kinds.map((k) => {
          const inKind = nodes.filter((u) => u.kind === k);
          return (
            inKind.length > 0 && (
              <optgroup key={k} label={unitKind(k)}>
                {inKind.map((u) => (
                  <option key={u.id} value={u.id}>
                    {hq.unitName(u)} ({u.code})
                  </option>
                ))}
              </optgroup>
            )
          );
        })}
      </select>
    </div>
  );
}

function Departments({
  unitId,
  unitName,
  kind,
  departments,
  onCreated,
}: {
  unitId: string;
  unitName: string;
  kind: UnitKind | undefined;
  departments: Dept[];
  onCreated: (name: string) => void;
}) {
  const { at, departmentKind } = useAdminText();
  const form = useForm("dept", ["name", "kind"]);
  const [name, setName] = useState("");
  const [deptKind, setDeptKind] = useState<string>("research");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const check: Record<string, string> = trimmed ? {} : { name: at("required") };
    if (trimmed && !window.confirm(at("confirmCreateDepartment", { name: trimmed, unit: unitName }))) return;
    const ok = await form.submit(
      check,
      async () =>
        userError((await request(CreateDepartmentDoc, { unit: unitId, name: trimmed, kind: deptKind })).createDepartment),
      at("departmentCreated", { name: trimmed }),
    );
    if (ok) {
      setName("");
      onCreated(trimmed);
    }
  };

  return (
    <section aria-labelledby="departments-title" data-testid="departments">
      <h2 id="departments-title">
        {at("departments")} · {unitName}
      </h2>
      {kind !== "INSTITUTE" ? (
        <p className="hint">{at("departmentsInstituteOnly")}</p>
      ) : (
        <>
          {departments.length === 0 ? (
            <Empty>{at("departmentsEmpty")}</Empty>
          ) : (
            <ul className="departments" data-testid="department-list">
              {departments.map((d) => (
                <li key={d.id}>
                  {d.name} <span className="muted">· {departmentKind(d.kind)}</span>
                </li>
              ))}
            </ul>
          )}
          <form
            className="flow-form"
            onSubmit={(e) => void submit(e)}
            onInput={form.onEdit}
            noValidate
            aria-label={at("createDepartment")}
          >
            <div className="row">
              <Field prefix="dept" name="name" label={at("departmentName")} errors={form.errors}>
                {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
              </Field>
              <Field prefix="dept" name="kind" label={at("departmentKind")} errors={form.errors}>
                {(props) => (
                  <select {...props} value={deptKind} onChange={(e) => setDeptKind(e.target.value)}>
                    {DEPARTMENT_KINDS.map((k) => (
                      <option key={k} value={k}>
                        {departmentKind(k)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <FormStatus error={form.formError} notice={form.notice} testId="dept" />
            <button type="submit" className="primary" disabled={form.busy}>
              {at("createDepartment")}
            </button>
          </form>
        </>
      )}
    </section>
  );
}

function UserRow({
  person: p,
  roles,
  departments,
  self,
  onChanged,
}: {
  person: Person;
  roles: RoleRow[];
  departments: Dept[];
  self: boolean;
  onChanged: (message?: string) => void;
}) {
  const i18n = useI18n();
  const { h } = useHq();
  const { at } = useAdminText();
  const [role, setRole] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const idp = `u-${idPart(p.id)}`;
  const deptName = departments.find((d) => d.id === p.departmentId)?.name;
  const held = new Set(p.roles.map((r) => r.role));

  const act = async (kind: "grant" | "revoke", which: Role) => {
    setError(null);
    try {
      const result =
        kind === "grant"
          ? (await request(GrantDoc, { user: p.id, role: which })).grantRole
          : (await request(RevokeDoc, { user: p.id, role: which })).revokeRole;
      const err = userError(result);
      if (err) setError(err.message);
      else {
        setRole("");
        onChanged();
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const grant = (event: FormEvent) => {
    event.preventDefault();
    if (!role) {
      setError(i18n.t("required"));
      document.getElementById(`${idp}-role`)?.focus();
      return;
    }
    void act("grant", role as Role);
  };

  return (
    <>
      <tr className={p.disabled ? "user-disabled" : undefined} data-testid="user-row" data-username={p.username}>
        <th scope="row">
          {p.username}
          {p.disabled && <span className="tag tag-disabled" data-testid="user-disabled">{h("disabled")}</span>}
        </th>
        <td>{p.displayName}</td>
        <td>{p.email ?? ""}</td>
        <td>{deptName ?? "—"}</td>
        <td>
          <ul className="chips">
            {p.roles.map((r) => (
              <li key={r.role}>
                {roleTitle(i18n.locale, r)}{" "}
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    if (window.confirm(h("confirmRevoke", { user: p.displayName, role: roleTitle(i18n.locale, r) })))
                      void act("revoke", r.role);
                  }}
                >
                  {h("revoke")}
                  <span className="sr-only">
                    : {roleTitle(i18n.locale, r)} ({p.username})
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </td>
        <td>
          <form className="inline-form grant" onSubmit={grant} noValidate aria-label={`${h("grant")}: ${p.username}`}>
            <label htmlFor={`${idp}-role`} className="sr-only">
              {h("roleToGrant")} ({p.username})
            </label>
            <select
              id={`${idp}-role`}
              value={role}
              onChange={(e) => setRole(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${idp}-error` : undefined}
            >
              <option value="">{h("roleToGrant")}</option>
              {roles
                .filter((r) => !held.has(r.role))
                .map((r) => (
                  <option key={r.role} value={r.role}>
                    {roleTitle(i18n.locale, r)}
                  </option>
                ))}
            </select>
            <button type="submit">{h("grant")}</button>
            {error && (
              <p className="field-error" id={`${idp}-error`}>
                {error}
              </p>
            )}
          </form>
        </td>
        <td>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={open ? `${idp}-manage` : undefined}
            onClick={() => setOpen(!open)}
          >
            {open ? at("closeManage") : at("manage")}
            <span className="sr-only"> {p.username}</span>
          </button>
        </td>
      </tr>
      {open && (
        <tr className="user-manage" id={`${idp}-manage`}>
          <td colSpan={7}>
            <UserEditor person={p} departments={departments} self={self} onChanged={onChanged} />
          </td>
        </tr>
      )}
    </>
  );
}

function UserEditor({
  person: p,
  departments,
  self,
  onChanged,
}: {
  person: Person;
  departments: Dept[];
  self: boolean;
  onChanged: (message?: string) => void;
}) {
  const { h } = useHq();
  const { at } = useAdminText();
  const idp = idPart(p.id);
  const profile = useForm(`ue-${idp}`, ["displayName", "email", "departmentId"]);
  const pw = useForm(`pw-${idp}`, ["password"]);
  const account = useForm(`ac-${idp}`, []);
  const [values, setValues] = useState({
    displayName: p.displayName,
    email: p.email ?? "",
    departmentId: p.departmentId ?? "",
  });
  const [password, setPassword] = useState("");
  const label = `${p.displayName} (${p.username})`;

  const saveProfile = async (event: FormEvent) => {
    event.preventDefault();
    const displayName = values.displayName.trim();
    const email = values.email.trim();
    const check: Record<string, string> = {};
    if (!displayName) check.displayName = at("required");
    if (email && !email.includes("@")) check.email = at("emailInvalid");
    const input: { id: string; displayName?: string; email?: string; departmentId?: string } = { id: p.id };
    if (displayName !== p.displayName) input.displayName = displayName;
    if (email !== (p.email ?? "")) input.email = email;
    if (values.departmentId && values.departmentId !== p.departmentId) input.departmentId = values.departmentId;
    if (Object.keys(check).length === 0 && Object.keys(input).length === 1) {
      profile.setNotice(at("nothingChanged"));
      return;
    }
    const done = at("profileSaved", { user: p.username });
    const ok = await profile.submit(
      check,
      async () => userError((await request(UpdateUserDoc, { input })).updateUser),
      done,
    );
    if (ok) onChanged(done);
  };

  const savePassword = async (event: FormEvent) => {
    event.preventDefault();
    const check: Record<string, string> = password ? {} : { password: at("required") };
    if (password && !window.confirm(at("confirmSetPassword", { user: label }))) return;
    const ok = await pw.submit(
      check,
      async () =>
        userError((await request(SetPasswordDoc, { input: { userId: p.id, newPassword: password } })).setPassword),
      at("passwordSet", { user: p.username }),
    );
    if (ok) setPassword("");
  };

  const toggle = async () => {
    const disable = !p.disabled;
    if (!window.confirm(at(disable ? "confirmDisable" : "confirmEnable", { user: label }))) return;
    const done = at(disable ? "disabledNow" : "enabledNow", { user: p.username });
    const ok = await account.submit(
      {},
      async () => userError((await request(SetUserDisabledDoc, { user: p.id, disabled: disable })).setUserDisabled),
      done,
    );
    if (ok) onChanged(done);
  };

  return (
    <div className="user-editor" role="group" aria-label={at("manageUser", { user: label })}>
      <form
        className="flow-form"
        onSubmit={(e) => void saveProfile(e)}
        onInput={profile.onEdit}
        noValidate
        aria-label={`${at("profile")}: ${p.username}`}
      >
        <h3>{at("profile")}</h3>
        <Field prefix={`ue-${idp}`} name="displayName" label={h("displayName")} errors={profile.errors}>
          {(props) => (
            <input
              {...props}
              value={values.displayName}
              onChange={(e) => setValues({ ...values, displayName: e.target.value })}
            />
          )}
        </Field>
        <Field prefix={`ue-${idp}`} name="email" label={h("email")} errors={profile.errors}>
          {(props) => (
            <input
              {...props}
              type="email"
              autoComplete="off"
              value={values.email}
              onChange={(e) => setValues({ ...values, email: e.target.value })}
            />
          )}
        </Field>
        {departments.length > 0 && (
          <Field prefix={`ue-${idp}`} name="departmentId" label={at("department")} errors={profile.errors}>
            {(props) => (
              <select
                {...props}
                value={values.departmentId}
                onChange={(e) => setValues({ ...values, departmentId: e.target.value })}
              >
                {!p.departmentId && <option value="">{at("noDepartment")}</option>}
                {departments.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <FormStatus error={profile.formError} notice={profile.notice} testId={`profile-${p.username}`} />
        <button type="submit" className="primary" disabled={profile.busy}>
          {at("saveProfile")}
        </button>
      </form>
      {!self && (
        <form
          className="flow-form"
          onSubmit={(e) => void savePassword(e)}
          onInput={pw.onEdit}
          noValidate
          aria-label={`${at("setPassword")}: ${p.username}`}
        >
          <h3>{at("setPassword")}</h3>
          <Field prefix={`pw-${idp}`} name="password" label={at("newPassword")} errors={pw.errors}>
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="new-password"
                aria-describedby={[props["aria-describedby"], `pw-${idp}-hint`].filter(Boolean).join(" ")}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <p className="note" id={`pw-${idp}-hint`}>
            {at("passwordHint")}
          </p>
          <FormStatus error={pw.formError} notice={pw.notice} testId={`password-${p.username}`} />
          <button type="submit" disabled={pw.busy}>
            {at("setPasswordButton")}
          </button>
        </form>
      )}
      {!self && (
        <div className="flow-form" role="group" aria-label={`${at("account")}: ${p.username}`}>
          <h3>{at("account")}</h3>
          <p>
            {at("status")}: <strong>{p.disabled ? h("disabled") : at("active")}</strong>
          </p>
          {p.disabled && <p className="note">{at("disabledNote")}</p>}
          <FormStatus error={account.formError} notice={account.notice} testId={`account-${p.username}`} />
          <button type="button" className={p.disabled ? "primary" : "danger"} disabled={account.busy} onClick={() => void toggle()}>
            {p.disabled ? at("enable") : at("disable")}
          </button>
        </div>
      )}
    </div>
  );
}

function CreateUser({
  unitId,
  roles,
  departments,
  onCreated,
}: {
  unitId: string;
  roles: RoleRow[];
  departments: Dept[];
  onCreated: () => void;
}) {
  const i18n = useI18n();
  const { h } = useHq();
  const { at } = useAdminText();
  const [departmentId, setDepartmentId] = useState("");
  const [values, setValues] = useState({ username: "", displayName: "", password: "", email: "" });
  const [picked, setPicked] = useState<Role[]>([]);
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = ["username", "displayName", "password", "email"] as const;
  const labels = { username: i18n.t("username"), displayName: h("displayName"), password: h("initialPassword"), email: h("email") };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = fields.find((f) => f !== "email" && !values[f].trim());
    if (missing) {
      setError({ __typename: "Local", code: "REQUIRED", message: i18n.t("required"), field: missing });
      document.getElementById(`cu-${missing}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = (
        await request(CreateUserDoc, {
          input: {
            orgUnitId: unitId,
            username: values.username.trim(),
            displayName: values.displayName.trim(),
            password: values.password,
            email: values.email.trim() || null,
            locale: i18n.locale,
            departmentId: departmentId || null,
            roles: picked,
          },
        })
      ).createUser;
      const err = userError(result);
      if (err) {
        setError(err);
        if (err.field) document.getElementById(`cu-${err.field}`)?.focus();
        return;
      }
      setValues({ username: "", displayName: "", password: "", email: "" });
      setPicked([]);
      setDepartmentId("");
      onCreated();
    } catch (e) {
      setError({ __typename: "Local", code: "ERROR", message: e instanceof Error ? e.message : String(e), field: null });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (f: string) => (error?.field === f ? error.message : null);
  const other =
    error && !fields.some((f) => f === error.field) && error.field !== "departmentId" ? error.message : null;

  return (
    <details className="panel">
      <summary>{h("createUser")}</summary>
      <form className="panel-form" onSubmit={(e) => void submit(e)} noValidate aria-label={h("createUser")}>
        <div className="row">
          {fields.map((f) => (
            <div className="field" key={f}>
              <label htmlFor={`cu-${f}`}>{labels[f]}</label>
              <input
                id={`cu-${f}`}
                type={f === "password" ? "password" : f === "email" ? "email" : "text"}
                autoComplete={f === "password" ? "new-password" : "off"}
                value={values[f]}
                onChange={(e) => setValues({ ...values, [f]: e.target.value })}
                aria-invalid={fieldError(f) ? true : undefined}
                aria-describedby={fieldError(f) ? `cu-${f}-error` : undefined}
              />
              {fieldError(f) && (
                <p className="field-error" id={`cu-${f}-error`}>
                  {fieldError(f)}
                </p>
              )}
            </div>
          ))}
          {departments.length > 0 && (
            <div className="field">
              <label htmlFor="cu-departmentId">{at("department")}</label>
              <select
                id="cu-departmentId"
                value={departmentId}
                onChange={(e) => setDepartmentId(e.target.value)}
                aria-invalid={fieldError("departmentId") ? true : undefined}
                aria-describedby={fieldError("departmentId") ? "cu-departmentId-error" : undefined}
              >
                <option value="">{at("noDepartment")}</option>
                {departments.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
              {fieldError("departmentId") && (
                <p className="field-error" id="cu-departmentId-error">
                  {fieldError("departmentId")}
                </p>
              )}
            </div>
          )}
        </div>
        <fieldset>
          <legend>{h("roles")}</legend>
          {roles.map((r) => (
            <label className="inline" key={r.role}>
              <input
                type="checkbox"
                checked={picked.includes(r.role)}
                onChange={(e) =>
                  setPicked(e.target.checked ? [...picked, r.role] : picked.filter((x) => x !== r.role))
                }
              />
              {roleTitle(i18n.locale, r)}
            </label>
          ))}
        </fieldset>
        {other && <ErrorBox error={other} />}
        <button type="submit" className="primary" disabled={busy}>
          {h("createUserButton")}
        </button>
      </form>
    </details>
  );
}
