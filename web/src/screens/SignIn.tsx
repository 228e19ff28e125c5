import { useRef, useState, type FormEvent } from "react";
import { request, setSession, userError, type FieldError } from "../api";
import { graphql } from "../gql";
import { useI18n, useSetLocale } from "../i18n";
import { useSession } from "../session";

const LoginDoc = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password, delivery: COOKIE) {
      __typename
      ... on SignedIn {
        accessToken
        accessExpiresAt
      }
      ... on UserError {
        code
        message
        field
      }
    }
  }
`);

export function SignIn() {
  const i18n = useI18n();
  const { t } = i18n;
  const setLocale = useSetLocale();
  const { signedIn } = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FieldError | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const userRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFailure(null);
    try {
      const data = await request(LoginDoc, { username, password });
      const result = data.login;
      if (result.__typename === "SignedIn") {
        setSession(result.accessToken, result.accessExpiresAt);
        await signedIn();
        return;
      }
      const err = userError(result);
      setError(err);
      // A wrong name or password says nothing about which: show it at the password.
      (err?.field === "username" ? userRef : passwordRef).current?.focus();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const userError_ = error?.field === "username" ? error : null;
  const passwordError = error && error.field !== "username" ? error : null;

  return (
    <main id="main" className="signin">
      <button
        type="button"
        className="lang"
        onClick={() => setLocale(i18n.locale === "zh" ? "en" : "zh")}
        aria-label={t("switchLanguageLabel")}
      >
        {t("switchLanguage")}
      </button>
      <p className="brand">{t("appTitle")}</p>
      <h1 tabIndex={-1}>{t("signInTitle")}</h1>
      <p className="hint">{t("signInHint")}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="username">{t("username")}</label>
          <input
            id="username"
            ref={userRef}
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={userError_ ? true : undefined}
            aria-describedby={userError_ ? "username-error" : undefined}
            autoFocus
          />
          {userError_ && (
            <p id="username-error" className="field-error" role="alert">
              {userError_.message}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="password">{t("password")}</label>
          <input
            id="password"
            ref={passwordRef}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={passwordError ? "password-error" : undefined}
          />
          {passwordError && (
            <p id="password-error" className="field-error" role="alert">
              {passwordError.message}
            </p>
          )}
        </div>
        {failure && (
          <p className="field-error" role="alert">
            {t("errorGeneric")}
            {failure}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("signingIn") : t("signIn")}
        </button>
      </form>
    </main>
  );
}
