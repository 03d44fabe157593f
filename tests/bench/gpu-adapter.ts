/**
 * Which adapters are software: the names Chromium, Dawn and Vulkan give CPU implementations.
 * Pure, so the probe's verdict is tested without a GPU (gpu-adapter.test.ts).
 */
export interface AdapterReport {
  /** Who reported it: "chromium", "dawn-node", "vulkaninfo", "nvidia-smi". */
  readonly source: string;
  /** One line: vendor, architecture, description as the source gives them. */
  readonly name: string;
  /** The source says it is a fallback/CPU adapter (isFallbackAdapter, PHYSICAL_DEVICE_TYPE_CPU). */
  readonly fallback?: boolean;
  readonly shaderF16?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|warp\b/i;

export function isSoftwareAdapter(report: AdapterReport): boolean {
  return report.fallback === true || SOFTWARE.test(report.name);
}

/** Hardware adapters among the reports (nvidia-smi's GPU counts: it lists only real devices). */
export function hardwareAdapters(reports: readonly AdapterReport[]): AdapterReport[] {
  return reports.filter((r) => !isSoftwareAdapter(r));
}

/**
 * The probe's verdict: an error message when no report names a hardware adapter and software is
 * not allowed, undefined otherwise.
 */
export function softwareOnlyProblem(
  reports: readonly AdapterReport[],
  allowSoftware: boolean,
): string | undefined {
  if (allowSoftware || hardwareAdapters(reports).length > 0) return undefined;
  const seen = reports.length
    ? reports.map((r) => `${r.source}: ${r.name}`).join("; ")
    : "no adapter at all";
  return (
    `no hardware GPU adapter found (${seen}); this benchmark measures a real GPU. ` +
    "Install the NVIDIA driver and the Vulkan loader (libvulkan1), or pass --allow-software " +
    "to run on the software adapter anyway (figures then say nothing about a GPU)"
  );
}
