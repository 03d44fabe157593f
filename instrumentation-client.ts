// Runs in the browser before any of the studio's own modules (Next's client instrumentation hook).
import "./nodes/core/zod-jitless";
