/** The model installer: server and CLI only (Node file system and network). */
export { InstallError, type InstallErrorCode } from "./errors";
export {
  installModel,
  verifyModel,
  removeModel,
  listModels,
  partialDir,
  type InstallOptions,
  type InstallProgress,
  type ManifestOptions,
  type VerifyResult,
} from "./installer";
export { npmPack, type Packer } from "./npm-source";
export type { FreeSpaceProbe } from "./space";
export { humanBytes } from "./format";
