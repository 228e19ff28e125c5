// Users and roles for tenant admins: the people of their unit, create a user, grant and revoke roles.
import { useState, type FormEvent } from "react";
import { request, userError, type FieldError } from "../api";
import { graphql } from "../gql";
import type { Role, UnitUsersQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useHq } from "../i18n-hq";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, useLoad } from "../util";

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

function roleTitle(locale: string, role: { role: Role; titleZh: string }): string {
  if (locale !== "en") return role.titleZh;
  const s = role.role.toLowerCase().replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function Users() {
  const i18n = useI18n();
  const hq = useHq();
  const { h } = hq;
  const { viewer } = useSession();
  const unitId = viewer?.orgUnit?.id ?? "";
  const data = useLoad(() => request(UnitUsersDoc, { unit: unitId }), [unitId]);
  const [status, setStatus] = useState<string | null>(null);
  const kind = data.data?.orgUnit?.kind;
  const roles = (data.data?.roles ?? []).filter((r) => !kind || r.unitKind === kind);
  const people = data.data?.users.nodes ?? [];

  const changed = (message: string) => {
    setStatus(message);
    data.reload();
  };

  return (
    <>
      <h1 tabIndex={-1}>{h("usersTitle")}</h1>
      {data.loading && !data.data && <Loading />}
      {data.error && <ErrorBox error={data.error} retry={data.reload} />}
      {data.data && <CreateUser unitId={unitId} roles={roles} onCreated={() => changed(h("created"))} />}
      <p role="status" aria-live="polite" className="ok">
        {status}
      </p>
      <section aria-labelledby="users-title">
        <h2 id="users-title">
          {h("unitUsers")} · {hq.unitName(data.data?.orgUnit)}
        </h2>
        {data.data && people.length === 0 && <Empty>{h("usersEmpty")}</Empty>}
        {people.length > 0 && (
          <div className="table-wrap">
            <table data-testid="users">
              <thead>
                <tr>
                  <th scope="col">{i18n.t("username")}</th>
                  <th scope="col">{h("displayName")}</th>
                  <th scope="col">{h("roles")}</th>
                  <th scope="col">{h("grant")}</th>
                </tr>
              </thead>
              <tbody>
                {people.map((p) => (
                  <UserRow key={p.id} person={p} roles={roles} onChanged={() => changed(h("saved"))} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function UserRow({ person: p, roles, onChanged }: { person: Person; roles: RoleRow[]; onChanged: () => void }) {
  const i18n = useI18n();
  const { h } = useHq();
  const [role, setRole] = useState("");
  const [error, setError] = useState<string | null>(null);
  const idp = `u-${p.id.replace(/[^A-Za-z0-9]/g, "")}`;
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
    <tr>
      <th scope="row">
        {p.username}
        {p.disabled && <span className="tag"> {h("disabled")}</span>}
      </th>
      <td>{p.displayName}</td>
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
    </tr>
  );
}

function CreateUser({ unitId, roles, onCreated }: { unitId: string; roles: RoleRow[]; onCreated: () => void }) {
  const i18n = useI18n();
  const { h } = useHq();
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
      onCreated();
    } catch (e) {
      setError({ __typename: "Local", code: "ERROR", message: e instanceof Error ? e.message : String(e), field: null });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (f: string) => (error?.field === f ? error.message : null);
  const other = error && !fields.some((f) => f === error.field) ? error.message : null;

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
