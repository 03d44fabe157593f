/** @type {import('next').NextConfig} */
const nextConfig = {
  // sharp is only used by the Node-side codec (CLI, tests); keep it out of the server bundle.
  // The run queue's packages load files beside their code (BullMQ's Lua scripts, the native
  // onnxruntime binding), so they are required at run time rather than bundled.
  serverExternalPackages: [
    "sharp",
    "better-sqlite3",
    "bullmq",
    "ioredis",
    "onnxruntime-node",
    // Dawn's Node binding (headless WebGPU, workers/models/native-gpu.ts) loads dawn.node by a
    // path computed at run time, which a bundle cannot resolve.
    "webgpu",
  ],
  // The test suite's `tsc --noEmit` gate checks every file, tests included; the build checking
  // them again costs a minute on our machines and adds nothing.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    // Cross-origin isolation lets onnxruntime-web use multi-threaded WASM (SharedArrayBuffer).
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Cross-Origin-Embedder-Policy", value: "require-corp" },
        ],
      },
    ];
  },
};

export default nextConfig;
