import { Suspense, lazy, useCallback, useEffect, useMemo, useState, type ComponentType } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { request } from "./api";
import { graphql } from "./gql";
import { I18nContext, makeI18n, useI18n, useSetLocale, type Locale } from "./i18n";
import { MyWork } from "./screens/MyWork";
import { SignIn } from "./screens/SignIn";
import { SessionProvider, useSession } from "./session";
import { MainNav } from "./MainNav";
import { UnreadContext } from "./unread";
import { Loading } from "./util";

/** A screen loaded with its route: signing in and my work do not wait for the other screens. */
function screen<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}
const AssessmentEditor = screen(() => import("./screens/AssessmentEditor"), "AssessmentEditor");
const ProjectPage = screen(() => import("./screens/ProjectPage"), "ProjectPage");
const Projects = screen(() => import("./screens/Projects"), "Projects");
const Evaluation = screen(() => import("./screens/Evaluation"), "Evaluation");
const Oversight = screen(() => import("./screens/Oversight"), "Oversight");
const Users = screen(() => import("./screens/Users"), "Users");
const WarningList = screen(() => import("./screens/WarningList"), "WarningList");
const Settings = screen(() => import("./screens/Settings"), "Settings");
const HazardPage = screen(() => import("./screens/Hazards"), "HazardPage");
const HazardsScreen = screen(() => import("./screens/Hazards"), "HazardsScreen");
const IncidentPage = screen(() => import("./screens/Incidents"), "IncidentPage");
const Incidents = screen(() => import("./screens/Incidents"), "Incidents");
const ReportIncident = screen(() => import("./screens/Incidents"), "ReportIncident");
const ProposeProject = screen(() => import("./screens/ProposeProject"), "ProposeProject");
const UnitDocuments = screen(() => import("./screens/UnitDocuments"), "UnitDocuments");

const UnreadDoc = graphql(`
  query UnreadCount {
    unreadNoticeCount
  }
`);

const POLL_MS = 30_000;

function initialLocale(): Locale {
  return localStorage.getItem("locale") === "en" ? "en" : "zh";
}

export function App() {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const i18n = useMemo(() => makeI18n(locale), [locale]);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem("locale", l);
    setLocaleState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale === "zh" ? "zh-CN" : "en";
    document.title = i18n.t("appTitle");
  }, [locale, i18n]);
  return (
    <I18nContext.Provider value={{ i18n, setLocale }}>
      <BrowserRouter>
        <SessionProvider fallback={<p className="status">{i18n.t("loading")}</p>}>
          <Shell />
        </SessionProvider>
      </BrowserRouter>
    </I18nContext.Provider>
  );
}

function Shell() {
  const { viewer } = useSession();
  if (!viewer) return <SignIn />;
  return <SignedInShell />;
}

function SignedInShell() {
  const i18n = useI18n();
  const { t } = i18n;
  const setLocale = useSetLocale();
  const { viewer, signOut, saveLocale } = useSession();
  const [unread, setUnread] = useState<number | null>(null);
  const location = useLocation();

  const refreshUnread = useCallback(() => {
    request(UnreadDoc).then(
      (d) => setUnread(d.unreadNoticeCount),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    refreshUnread();
    const timer = setInterval(refreshUnread, POLL_MS);
    return () => clearInterval(timer);
  }, [refreshUnread]);

  // Take the language the person chose last time, wherever they chose it.
  useEffect(() => {
    if (viewer?.locale === "en" || viewer?.locale === "zh") setLocale(viewer.locale);
  }, [viewer?.locale, setLocale]);

  const switchLanguage = () => {
    const next: Locale = i18n.locale === "zh" ? "en" : "zh";
    setLocale(next);
    void saveLocale(next).catch(() => undefined);
  };
  const unitName =
    i18n.locale === "en" && viewer?.orgUnit?.nameEn ? viewer.orgUnit.nameEn : viewer?.orgUnit?.name;

  return (
    <UnreadContext.Provider value={{ unread, setUnread, refreshUnread }}>
      <a className="skip" href="#main">
        {t("skipToContent")}
      </a>
      <header className="top">
        <span className="brand">{t("appTitle")}</span>
        <span className="who">
          {viewer?.user?.displayName} · {unitName}
        </span>
        <button type="button" onClick={switchLanguage} aria-label={t("switchLanguageLabel")} lang={i18n.locale === "zh" ? "en" : "zh"}>
          {t("switchLanguage")}
        </button>
        <button type="button" onClick={() => void signOut()}>
          {t("signOut")}
        </button>
      </header>
      <div className="layout">
      <MainNav unread={unread} />
      <main id="main">
        <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Navigate to="/work" replace />} />
          <Route path="/work" element={<MyWork />} />
          <Route path="/projects" element={<Projects />} />
          <Route path="/projects/:id" element={<ProjectPage />} />
          <Route path="/projects/:id/assessment" element={<AssessmentEditor />} />
          <Route path="/oversight" element={<Oversight />} />
          <Route path="/warning-list" element={<WarningList />} />
          <Route path="/evaluations" element={<Evaluation />} />
          <Route path="/users" element={<Users />} />
          <Route path="/settings" element={<Settings />} />
          <Route path="/projects/new" element={<ProposeProject />} />
          <Route path="/hazards" element={<HazardsScreen />} />
          <Route path="/hazards/:id" element={<HazardPage />} />
          <Route path="/incidents" element={<Incidents />} />
          <Route path="/incidents/new" element={<ReportIncident />} />
          <Route path="/incidents/:id" element={<IncidentPage />} />
          <Route path="/unit-documents" element={<UnitDocuments />} />
          <Route path="*" element={<Navigate to="/work" replace />} />
        </Routes>
        <FocusOnArrival key={location.pathname} />
        </Suspense>
      </main>
      </div>
    </UnreadContext.Provider>
  );
}

/** Move focus to the new screen's heading, so keyboard and screen-reader users land there. Mounted
 * anew for each path inside the Suspense boundary, so it runs once the screen's code has loaded. */
function FocusOnArrival() {
  useEffect(() => {
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, []);
  return null;
}
