import { create } from "zustand";
import { fetchComponent } from "./components-api";

interface ComponentVersions {
  /** The newest version of each component asked about; absent while unknown. */
  readonly latest: Readonly<Record<string, number>>;
  /** Asks the library once per component (again with `force`, e.g. after a save). */
  check(id: string, force?: boolean): void;
  /** Records a version just saved or loaded. */
  saw(id: string, version: number): void;
}

const asked = new Set<string>();

/** The newest version of each component a workflow uses, so its node can offer the update. */
export const useComponentVersions = create<ComponentVersions>()((set, get) => ({
  latest: {},
  check(id, force = false) {
    if (asked.has(id) && !force) return;
    asked.add(id);
    fetchComponent(id).then(
      (c) => get().saw(id, c.latestVersion),
      // A component deleted from the library, or no server (a shared page): no update to offer.
      () => undefined,
    );
  },
  saw(id, version) {
    if (get().latest[id] === version) return;
    set({ latest: { ...get().latest, [id]: version } });
  },
}));
