// The supervision and HQ screens' links in the header, shown to those whose roles may use them.
import { NavLink } from "react-router";
import "./hq.css";
import { useHq } from "./i18n-hq";
import {
  canManageUsers,
  canReadEvaluations,
  canReadOversight,
  canReadWarningList,
} from "./roles";
import { useSession } from "./session";

export function HqNavLinks() {
  const { h } = useHq();
  const { viewer } = useSession();
  return (
    <>
      {canReadOversight(viewer) && <NavLink to="/oversight">{h("navOversight")}</NavLink>}
      {canReadWarningList(viewer) && <NavLink to="/warning-list">{h("navWarningList")}</NavLink>}
      {canReadEvaluations(viewer) && <NavLink to="/evaluations">{h("navEvaluation")}</NavLink>}
      {canManageUsers(viewer) && <NavLink to="/users">{h("navUsers")}</NavLink>}
    </>
  );
}
