import * as rtcCommonJs from '@livekit/rtc-node';
import type * as RtcNode from '@livekit/rtc-node' with { 'resolution-mode': 'import' };

// agents-js types its Room, frames and participants with rtc-node's ESM typings, while this
// project (CommonJS) loads rtc-node's CommonJS build; at run time agents-js's CommonJS build uses
// that same module, so both name the same classes. The agent code takes rtc-node from here, typed
// as agents-js sees it, so values from ctx.room and our own fit together without casts.
export const rtc = rtcCommonJs as unknown as typeof RtcNode;
export type { RtcNode };
