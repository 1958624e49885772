export { EmulatorState } from './emulator-state';
export {
  defaultApp,
  EmulatorError,
  type EmuApp,
  type EmuDm,
  type EmuEvent,
  type EmuFollow,
  type EmuLike,
  type EmuPost,
  type EmuRefreshToken,
  type EmuToken,
  type EmuUser,
} from './types';
export {
  DM_MAX_LENGTH,
  DUPLICATE_WINDOW_MS,
  hashtagEntities,
  mentionEntities,
  POST_MAX_WEIGHTED_LENGTH,
} from './text';
export { postPayload, userPayload } from './payloads';
