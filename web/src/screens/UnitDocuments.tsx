// The unit's own documents (/unit-documents), not tied to a project: emergency response plans,
// responsibility and commitment letters, minutes (ORG-INST-DUTY). Everyone reads their own unit's;
// branch academies and HQ may also choose a unit they oversee. Uploads go to one's own unit only.
import { useState } from "react";
import { request } from "../api";
import { useAttachText } from "../flow/attach-text";
import { AttachedDocuments } from "../flow/documents";
import { graphql } from "../gql";
import type { DocumentKind, Role } from "../gql/graphql";
import { useSession } from "../session";
import { ErrorBox, useLoad } from "../util";

const UnitsDoc = graphql(`
  query UnitDocumentUnits {
    orgUnits(first: 100) {
      nodes {
        id
        name
      }
    }
  }
`);

const UNIT_DOC_KINDS: DocumentKind[] = [
  "EMERGENCY_RESPONSE_PLAN",
  "RESPONSIBILITY_LETTER",
  "COMMITMENT_LETTER",
  "MEETING_MINUTES",
  "OTHER",
];
/** policies/policy.csv, org_unit_document upload (besides HQ's own staff). */
const UPLOADERS: Role[] = [
  "LEGAL_REPRESENTATIVE",
  "COORDINATION_MEMBER",
  "SAFETY_MANAGEMENT",
  "RESEARCH_MANAGEMENT",
  "BRANCH_SUPERVISOR",
];

export function UnitDocuments() {
  const { at } = useAttachText();
  const { viewer } = useSession();
  const own = viewer?.orgUnit?.id ?? "";
  const oversees = !!viewer && (viewer.seesAllUnits || viewer.roles.some((r) => r.role === "BRANCH_SUPERVISOR"));
  const units = useLoad(() => (oversees ? request(UnitsDoc) : Promise.resolve(null)), [oversees]);
  const [unitId, setUnitId] = useState(own);
  const mayUpload =
    unitId === own && !!viewer && (viewer.seesAllUnits || viewer.roles.some((r) => UPLOADERS.includes(r.role)));
  return (
    <>
      <h1 tabIndex={-1}>{at("unitDocuments")}</h1>
      <p className="note">{at("unitDocumentsIntro")}</p>
      {oversees && units.data && (
        <div className="field">
          <label htmlFor="unit-docs-unit">{at("unit")}</label>
          <select id="unit-docs-unit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
            {!units.data.orgUnits.nodes.some((u) => u.id === own) && viewer?.orgUnit && (
              <option value={own}>{viewer.orgUnit.name}</option>
            )}
            {units.data.orgUnits.nodes.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {units.error && <ErrorBox error={units.error} retry={units.reload} />}
      {unitId !== own && <p className="note">{at("otherUnitReadOnly")}</p>}
      {unitId && (
        <section aria-label={at("unitDocuments")}>
          <AttachedDocuments
            key={unitId}
            type="ORG_UNIT"
            id={unitId}
            kinds={UNIT_DOC_KINDS}
            canUpload={mayUpload}
            prefix="ud"
          />
        </section>
      )}
    </>
  );
}
