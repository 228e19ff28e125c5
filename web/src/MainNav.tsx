// The main navigation: a sidebar of grouped links (work, supervision, administration), so the
// header stays one line at laptop and tablet widths; every link is a plain, focusable link.
import { NavLink } from "react-router";
import { useFlowText } from "./flow/text";
import { useAttachText } from "./flow/attach-text";
import { useI18n } from "./i18n";
import { useHq } from "./i18n-hq";
import "./hq.css";
import "./mainNav.css";
import { canManageEvaluations, canManageUsers, canReadEvaluations, canReadOversight, canReadWarningList } from "./roles";
import { useTaskText } from "./screens/taskText";
import { useSession } from "./session";

export function MainNav({ unread }: { unread: number | null }) {
  const { t } = useI18n();
  const { h } = useHq();
  const { ft } = useFlowText();
  const { tt } = useTaskText();
  const { at } = useAttachText();
  const { viewer } = useSession();
  const supervision = [
    canReadOversight(viewer) && (
      <NavLink key="o" to="/oversight">
        {h("navOversight")}
      </NavLink>
    ),
    canReadWarningList(viewer) && (
      <NavLink key="w" to="/warning-list">
        {h("navWarningList")}
      </NavLink>
    ),
    canReadEvaluations(viewer) && (
      <NavLink key="e" to="/evaluations">
        {h("navEvaluation")}
      </NavLink>
    ),
  ].filter(Boolean);
  const admin = [
    canManageEvaluations(viewer) && (
      <NavLink key="s" to="/settings">
        {tt("navSettings")}
      </NavLink>
    ),
    canManageUsers(viewer) && (
      <NavLink key="u" to="/users">
        {h("navUsers")}
      </NavLink>
    ),
  ].filter(Boolean);
  const group = (id: string, title: string, links: React.ReactNode[]) =>
    links.length > 0 && (
      <div className="nav-group" role="group" aria-labelledby={id}>
        <span id={id} className="nav-group-title">
          {title}
        </span>
        <ul>
          {links.map((l, n) => (
            <li key={n}>{l}</li>
          ))}
        </ul>
      </div>
    );
  return (
    <nav className="side" aria-label={t("mainNav")} data-testid="main-nav">
      {group("nav-work", tt("navWork"), [
        <NavLink key="m" to="/work">
          {t("navMyWork")}
          {unread !== null && unread > 0 && (
            <span className="badge" data-testid="unread-count" aria-label={`${t("unreadCount")}: ${unread}`}>
              {unread}
            </span>
          )}
        </NavLink>,
        <NavLink key="p" to="/projects">
          {t("navProjects")}
        </NavLink>,
        <NavLink key="h" to="/hazards" end>
          {ft("navHazards")}
        </NavLink>,
        <NavLink key="i" to="/incidents" end>
          {ft("navIncidents")}
        </NavLink>,
        <NavLink key="d" to="/unit-documents">
          {at("navUnitDocuments")}
        </NavLink>,
      ])}
      {group("nav-supervision", tt("navSupervision"), supervision)}
      {group("nav-admin", tt("navAdmin"), admin)}
    </nav>
  );
}
