import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

interface FieldProps {
  label: ReactNode;
  /** Shown under the control and linked to it as its description (not part of its name). */
  hint?: ReactNode;
  className?: string;
  /** One input, textarea or select; it gets the label's id and the hint as aria-describedby. */
  children: ReactElement<{ id?: string; 'aria-describedby'?: string }>;
}

/** A labelled form control whose accessible name is the label alone, with its hint as the description. */
export function Field({ label, hint, className, children }: FieldProps) {
  const id = useId();
  const hintId = useId();
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, { id, ...(hint ? { 'aria-describedby': hintId } : {}) })}
      {hint && (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      )}
    </div>
  );
}
