// Small form helpers for the flow screens: labelled fields with their error next to them, one
// submit runner that maps a typed error's `field` to its control, and a confirmation step.
import { useCallback, useState, type ReactNode } from "react";
import { ApiError, type FieldError } from "../api";
import { useFlowText } from "./text";

export type Errors = Record<string, string>;

export interface ControlProps {
  id: string;
  name: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}

export function Field({
  prefix,
  name,
  label,
  errors,
  children,
}: {
  prefix: string;
  name: string;
  label: string;
  errors: Errors;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = `${prefix}-${name}`;
  const error = errors[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        name,
        "aria-invalid": Boolean(error),
        "aria-describedby": error ? `${id}-error` : undefined,
      })}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A select that starts on "—" (nothing chosen), so a required choice is never made by default:
 * the decision, verdict and kind selects of the record forms. */
export function ChoiceSelect<T extends string>({
  control,
  values,
  label,
}: {
  control: ControlProps;
  values: readonly T[];
  label: (value: T) => string;
}) {
  return (
    <select {...control} defaultValue="">
      <option value="" disabled>
        —
      </option>
      {values.map((v) => (
        <option key={v} value={v}>
          {label(v)}
        </option>
      ))}
    </select>
  );
}

export function FormStatus({ error, notice, testId }: { error: string | null; notice: string | null; testId: string }) {
  return (
    <>
      {error && (
        <p className="form-error" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
      {notice && (
        <p className="status" role="status" data-testid={`${testId}-done`}>
          {notice}
        </p>
      )}
    </>
  );
}

/** The state of one form and its submit: local checks first, then the server's typed error. */
export function useForm(prefix: string, fields: readonly string[]) {
  const { ft } = useFlowText();
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const focus = (name: string) =>
    requestAnimationFrame(() => document.getElementById(`${prefix}-${name}`)?.focus());

  const submit = useCallback(
    async (
      check: Errors,
      send: () => Promise<FieldError | null>,
      done?: string,
    ): Promise<boolean> => {
      setNotice(null);
      setFormError(null);
      const invalid = Object.keys(check);
      if (invalid.length) {
        setErrors(check);
        setFormError(ft("fixErrors"));
        focus(invalid[0] ?? "");
        return false;
      }
      setErrors({});
      setBusy(true);
      try {
        const error = await send();
        if (error) {
          if (error.field && fields.includes(error.field)) {
            setErrors({ [error.field]: error.message });
            focus(error.field);
          } else setFormError(error.message);
          return false;
        }
        setNotice(done ?? ft("done"));
        return true;
      } catch (e) {
        setFormError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [prefix, fields.join(","), ft],
  );

  /** Clear a field's error as soon as it is edited. */
  const touched = (name: string) =>
    setErrors((e) => {
      if (!(name in e)) return e;
      const { [name]: _, ...rest } = e;
      if (Object.keys(rest).length === 0) setFormError(null);
      return rest;
    });

  /** For a form's onInput/onChange: clear the edited control's error. */
  const onEdit = (event: { target: EventTarget }) => {
    const name = (event.target as HTMLInputElement).name;
    if (name) touched(name);
  };

  return { errors, formError, notice, busy, submit, touched, onEdit, setNotice };
}

/** Required fields that are empty, as errors. */
export function requireFields(values: Record<string, string>, names: string[], message: string): Errors {
  const errors: Errors = {};
  for (const n of names) if (!values[n]?.trim()) errors[n] = message;
  return errors;
}

export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The trimmed text values of a form's named controls. */
export function valuesOf<N extends string>(form: HTMLFormElement, names: readonly N[]): Record<N, string> {
  const data = new FormData(form);
  return Object.fromEntries(names.map((n) => [n, String(data.get(n) ?? "").trim()])) as Record<N, string>;
}
