import { create } from "zustand";

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: "info" | "error";
}

interface ToastState {
  toasts: Toast[];
  push(text: string, tone?: Toast["tone"]): void;
  dismiss(id: number): void;
}

let next = 1;

/** Short messages for actions that have no node to show them on (refused wires, uploads, saves). */
export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(text, tone = "info") {
    const id = next++;
    set({ toasts: [...get().toasts.slice(-3), { id, text, tone }] });
    setTimeout(() => get().dismiss(id), tone === "error" ? 8000 : 4000);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));
