"use client";
import type { ReactNode } from "react";

/**
 * A dialog over a dimmed backdrop: a press on the backdrop closes it, a press inside does not.
 * The editor's panels (history, share, shortcuts) all open through it.
 */
export function Modal({
  label,
  className,
  testId,
  onClose,
  children,
}: {
  label: string;
  className?: string;
  testId?: string;
  onClose(): void;
  children: ReactNode;
}) {
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        className={className ? `modal ${className}` : "modal"}
        role="dialog"
        aria-label={label}
        data-testid={testId}
        onMouseDown={(e) => e.stopPropagation()}
      >
        {children}
      </div>
    </div>
  );
}
