package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/livekit/protocol/livekit"
)

const abortedError = "the recorder stopped unexpectedly; the track was cut short"

// recoverSpool finishes the tracks a killed recorder left behind: repair each
// file (drop the torn tail, fix headers), upload it, report egress_ended with
// EGRESS_ABORTED and what was saved, then delete it. At most the last second
// (the unflushed buffer) is lost.
func recoverSpool(d *deps) {
	left, err := d.spool.leftovers()
	if err != nil {
		d.log.Error("spool scan failed", "error", err.Error())
		return
	}
	if len(left) == 0 {
		return
	}
	d.log.Info("recovering tracks from a previous run", "count", len(left))
	for _, sc := range left {
		recoverTrack(d, sc)
	}
}

func recoverTrack(d *deps, sc *sidecar) {
	log := d.log.With("egressId", sc.EgressID, "recordingId", sc.RecordingID, "trackSid", sc.TrackSID)
	path := d.spool.mediaPath(sc)
	info := egressInfo(sc, livekit.EgressStatus_EGRESS_ABORTED)
	info.Error = abortedError

	// The file's mtime is the last flush, i.e. about when the recorder died.
	endedAt := time.Now()
	if st, err := os.Stat(path); err == nil {
		endedAt = st.ModTime()
	}
	info.EndedAt = endedAt.UnixNano()

	var rep repaired
	var err error
	if sc.Ext == "ogg" {
		rep, err = repairOgg(path)
	} else {
		rep, err = repairIVF(path)
	}
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, errNoMedia) || (err == nil && sc.StartedAt == 0):
		log.Warn("leftover track has no media; nothing to upload", "error", errString(err))
		d.spool.remove(sc)
	case err != nil:
		log.Error("leftover track could not be repaired", "error", err.Error())
		info.Status = livekit.EgressStatus_EGRESS_FAILED
		info.Error = abortedError + "; repair failed: " + err.Error()
		d.spool.quarantine(sc)
	default:
		size, uerr := d.up.upload(context.Background(), path, sc.ObjectKey, contentType(sc.Ext))
		if uerr != nil {
			info.Status = livekit.EgressStatus_EGRESS_FAILED
			info.Error = abortedError + "; " + uerr.Error()
			d.spool.quarantine(sc)
			break
		}
		d.spool.remove(sc)
		info.FileResults = []*livekit.FileInfo{fileInfo(d.up, sc.ObjectKey, time.Unix(0, sc.StartedAt),
			time.Unix(0, sc.EgressStartedAt), rep.duration, size)}
		log.Info("leftover track recovered", "objectKey", sc.ObjectKey, "bytes", size,
			"durationMs", rep.duration.Milliseconds(), "frames", rep.frames)
	}
	info.UpdatedAt = time.Now().UnixNano()
	<-d.hooks.send("egress_ended", info)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
