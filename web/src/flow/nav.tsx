// The flow screens' links in the header (hazards, incidents); the server decides what is listed.
import { NavLink } from "react-router";
import { useFlowText } from "./text";

export function FlowNavLinks() {
  const { ft } = useFlowText();
  return (
    <>
      <NavLink to="/hazards" end>
        {ft("navHazards")}
      </NavLink>
      <NavLink to="/incidents" end>
        {ft("navIncidents")}
      </NavLink>
    </>
  );
}
