import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { request, userError } from "../api";
import { FormStatus, today, useForm, valuesOf } from "../flow/forms";
import { PROJECT_FIELDS, ProjectFields, checkProject, projectInput, type ProjectFieldLabel } from "../flow/project-fields";
import { useFlowText } from "../flow/text";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { useSession } from "../session";
import { ErrorBox, Loading, useLoad } from "../util";

const UnitPeopleDoc = graphql(`
  query UnitPeople {
    viewer {
      orgUnit {
        id
        departments {
          id
          name
        }
        users(first: 100) {
          nodes {
            id
            displayName
          }
        }
      }
    }
  }
`);

const CreateProjectDoc = graphql(`
  mutation CreateProject($unit: ID!, $input: ProjectInput!) {
    createProject(orgUnitId: $unit, input: $input) {
      __typename
      ... on ProjectSaved {
        project {
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

export function ProposeProject() {
  const i18n = useI18n();
  const { t } = i18n;
  const { ft } = useFlowText();
  const { viewer } = useSession();
  const navigate = useNavigate();
  const people = useLoad(() => request(UnitPeopleDoc), []);
  const form = useForm("np", PROJECT_FIELDS);
  const [members, setMembers] = useState<string[]>([]);

  const unit = people.data?.viewer?.orgUnit;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!unit) return;
    const data = new FormData(event.currentTarget);
    const v = valuesOf(event.currentTarget, PROJECT_FIELDS);
    const check = checkProject(v, { required: ft("required"), endBeforeStart: ft("endBeforeStart") });
    let id: string | null = null;
    const ok = await form.submit(check, async () => {
      const result = await request(CreateProjectDoc, { unit: unit.id, input: projectInput(v, data, members) });
      const error = userError(result.createProject);
      if (!error && result.createProject.__typename === "ProjectSaved")
        id = result.createProject.project.id;
      return error;
    });
    if (ok && id) navigate(`/projects/${id}/assessment`);
  };

  if (people.loading && !people.data) return <Loading />;
  if (people.error) return <ErrorBox error={people.error} retry={people.reload} />;
  const users = unit?.users.nodes ?? [];
  const labels: Record<ProjectFieldLabel, string> = {
    title: t("title"),
    department: ft("department"),
    pi: t("pi"),
    startDate: ft("startDate"),
    endDate: ft("endDate"),
    summary: t("summary"),
    fundingSource: ft("fundingSource"),
    researchFields: ft("researchFields"),
    members: ft("projectMembers"),
    sensitiveFields: t("sensitiveFields"),
    choose: ft("choose"),
  };

  return (
    <>
      <p>
        <Link to="/projects">← {t("backToProjects")}</Link>
      </p>
      <h1 tabIndex={-1}>{ft("proposeProject")}</h1>
      <p className="hint">{ft("proposeIntro")}</p>
      <form className="flow-form" onSubmit={(e) => void onSubmit(e)} onChange={form.onEdit} noValidate>
        <ProjectFields
          prefix="np"
          form={form}
          label={(k) => labels[k]}
          departments={unit?.departments ?? []}
          users={users}
          members={members}
          setMembers={setMembers}
          defaults={{ principalInvestigatorId: viewer?.user?.id, startDate: today() }}
        />
        <FormStatus error={form.formError} notice={form.notice} testId="propose" />
        <button type="submit" className="primary" disabled={form.busy}>
          {form.busy ? ft("working") : ft("create")}
        </button>
      </form>
    </>
  );
}
