package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/utils/guid"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// deps are the process-wide services every recording uses.
type deps struct {
	cfg   *config
	log   *slog.Logger
	up    *uploader
	hooks *notifier
	spool spool
}

// trackEgress is one recorded track: the local equivalent of one LiveKit
// track egress, with its own egress id, spool file, object and webhooks.
type trackEgress struct {
	d      *deps
	log    *slog.Logger
	track  *webrtc.TrackRemote
	writer *trackWriter

	mu     sync.Mutex
	sc     sidecar
	status livekit.EgressStatus

	endOnce sync.Once
	done    chan struct{}
	final   *livekit.EgressInfo
}

var identityRE = regexp.MustCompile(`^[A-Za-z0-9._@:-]{1,128}$`)

// safeIdentity keeps object keys well-formed even for an identity outside the
// expected alphabet (Parley's identities never are; other clients might be).
func safeIdentity(id string) string {
	if identityRE.MatchString(id) {
		return id
	}
	b := []byte(id)
	for i, c := range b {
		if !strings.ContainsRune("._@:-", rune(c)) && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b[:min(len(b), 128)])
}

// objectKey is <prefix><identity>/<kind>-<trackSid>.<ext>. A track recorded
// twice within one recording (unsubscribed and subscribed again, e.g. after a
// reconnect) gets -2, -3... so the second segment cannot overwrite the first.
func objectKey(prefix, identity, kind, trackSID string, segment int, ext string) string {
	suffix := ""
	if segment > 1 {
		suffix = fmt.Sprintf("-%d", segment)
	}
	return fmt.Sprintf("%s%s/%s-%s%s.%s", prefix, identity, kind, trackSID, suffix, ext)
}

type trackParams struct {
	recordingID, room, roomID, prefix string
	segment                           int
}

func startTrackEgress(d *deps, p trackParams, track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) (*trackEgress, error) {
	c, err := lookupCodec(track.Codec().MimeType)
	if err != nil {
		return nil, err
	}
	identity := safeIdentity(rp.Identity())
	if identity != rp.Identity() {
		d.log.Warn("participant identity sanitized for the object key", "identity", rp.Identity(), "used", identity)
	}
	te := &trackEgress{
		d:     d,
		track: track,
		done:  make(chan struct{}),
		sc: sidecar{
			EgressID:            guid.New(guid.EgressPrefix),
			RecordingID:         p.recordingID,
			Room:                p.room,
			RoomID:              p.roomID,
			ObjectKey:           objectKey(p.prefix, identity, c.kind, pub.SID(), p.segment, c.ext),
			ParticipantIdentity: rp.Identity(),
			TrackSID:            pub.SID(),
			Kind:                c.kind,
			Codec:               c.name,
			Ext:                 c.ext,
			EgressStartedAt:     time.Now().UnixNano(),
		},
		status: livekit.EgressStatus_EGRESS_ACTIVE,
	}
	te.log = d.log.With("egressId", te.sc.EgressID, "recordingId", p.recordingID, "trackSid", pub.SID(),
		"participant", rp.Identity(), "kind", c.kind, "codec", c.name)
	// Sidecar first: a media file must never exist without its description.
	if err := d.spool.writeSidecar(&te.sc); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	ssrc := track.SSRC()
	te.writer, err = newTrackWriter(d.spool.mediaPath(&te.sc), c, track.Codec().ClockRate, track.Codec().Channels,
		func() { rp.WritePLI(ssrc) }, te.onStart)
	if err != nil {
		os.Remove(d.spool.sidecarPath(te.sc.EgressID))
		return nil, fmt.Errorf("spool: %w", err)
	}
	pub.OnRTCP(func(pkt rtcp.Packet) {
		if sr, ok := pkt.(*rtcp.SenderReport); ok && sr.SSRC == uint32(ssrc) {
			te.writer.senderReport(sr)
		}
	})
	te.log.Info("track started", "objectKey", te.sc.ObjectKey, "mime", track.Codec().MimeType,
		"channels", track.Codec().Channels)
	d.hooks.send("egress_started", te.info())
	go te.readLoop()
	return te, nil
}

func (te *trackEgress) readLoop() {
	for {
		pkt, _, err := te.track.ReadRTP()
		if err != nil {
			te.end("track closed")
			return
		}
		te.writer.push(pkt, time.Now())
	}
}

// onStart records the media start time in the sidecar, so crash recovery can
// report FileInfo.startedAt.
func (te *trackEgress) onStart(start time.Time) {
	te.mu.Lock()
	te.sc.StartedAt = start.UnixNano()
	sc := te.sc
	te.mu.Unlock()
	if err := te.d.spool.writeSidecar(&sc); err != nil {
		te.log.Warn("sidecar update failed", "error", err.Error())
	}
}

// end finalizes the track once: close the file, upload, report. It returns at
// once; wait() blocks until egress_ended has been delivered or given up on.
func (te *trackEgress) end(reason string) {
	te.endOnce.Do(func() { go te.finish(reason) })
}

func (te *trackEgress) wait() *livekit.EgressInfo {
	<-te.done
	return te.final
}

func (te *trackEgress) finish(reason string) {
	defer close(te.done)
	te.setStatus(livekit.EgressStatus_EGRESS_ENDING)
	res, werr := te.writer.close()
	endedAt := time.Now()

	te.mu.Lock()
	sc := te.sc
	te.mu.Unlock()
	path := te.d.spool.mediaPath(&sc)

	info := te.info()
	info.EndedAt = endedAt.UnixNano()
	size, uerr := te.d.up.upload(context.Background(), path, sc.ObjectKey, contentType(sc.Ext))
	switch {
	case uerr != nil:
		info.Status = livekit.EgressStatus_EGRESS_FAILED
		info.Error = uerr.Error()
		if err := te.d.spool.quarantine(&sc); err != nil {
			te.log.Error("could not move the failed file aside", "error", err.Error())
		}
	default:
		te.d.spool.remove(&sc)
		info.Status = livekit.EgressStatus_EGRESS_COMPLETE
		if werr != nil {
			// The spool write failed mid-track (disk full?): what was written
			// is uploaded, but the track is incomplete.
			info.Status = livekit.EgressStatus_EGRESS_FAILED
			info.Error = "writing the spool file failed: " + werr.Error()
		}
		info.FileResults = []*livekit.FileInfo{fileInfo(te.d.up, sc.ObjectKey, res.start, time.Unix(0, sc.EgressStartedAt), res.duration, size)}
	}
	info.UpdatedAt = time.Now().UnixNano()
	te.setStatus(info.Status)
	te.log.Info("track ended", "reason", reason, "status", info.Status.String(), "bytes", size,
		"durationMs", res.duration.Milliseconds(), "frames", res.frames, "blankFramesDropped", res.blank,
		"packetsDropped", res.dropped, "rtpMinusArrivalMs", res.drift.Milliseconds(), "startFromSR", res.usedSR,
		"error", info.Error)
	<-te.d.hooks.send("egress_ended", info)
	te.final = info
}

// fileInfo builds FileInfo; start falls back to the egress start when the
// track never delivered media.
func fileInfo(up *uploader, key string, start, fallback time.Time, d time.Duration, size int64) *livekit.FileInfo {
	if start.IsZero() {
		start = fallback
	}
	return &livekit.FileInfo{
		Filename:  key,
		StartedAt: start.UnixNano(),
		EndedAt:   start.Add(d).UnixNano(),
		Duration:  d.Nanoseconds(),
		Size:      size,
		Location:  up.location(key),
	}
}

func (te *trackEgress) setStatus(s livekit.EgressStatus) {
	te.mu.Lock()
	te.status = s
	te.mu.Unlock()
}

// info is the EgressInfo as LiveKit would describe this track egress.
func (te *trackEgress) info() *livekit.EgressInfo {
	te.mu.Lock()
	defer te.mu.Unlock()
	return egressInfo(&te.sc, te.status)
}

func egressInfo(sc *sidecar, status livekit.EgressStatus) *livekit.EgressInfo {
	return &livekit.EgressInfo{
		EgressId:   sc.EgressID,
		RoomId:     sc.RoomID,
		RoomName:   sc.Room,
		SourceType: livekit.EgressSourceType_EGRESS_SOURCE_TYPE_SDK,
		Status:     status,
		StartedAt:  sc.EgressStartedAt,
		UpdatedAt:  time.Now().UnixNano(),
		Request: &livekit.EgressInfo_Track{Track: &livekit.TrackEgressRequest{
			RoomName: sc.Room,
			TrackId:  sc.TrackSID,
			Output:   &livekit.TrackEgressRequest_File{File: &livekit.DirectFileOutput{Filepath: sc.ObjectKey}},
		}},
	}
}

// view is the short per-track form used by GET /v1/recordings/{id}.
type trackView struct {
	EgressID            string `json:"egressId"`
	TrackSID            string `json:"trackSid"`
	ParticipantIdentity string `json:"participantIdentity"`
	Kind                string `json:"kind"`
	Codec               string `json:"codec"`
	Status              string `json:"status"`
}

func (te *trackEgress) view() trackView {
	te.mu.Lock()
	defer te.mu.Unlock()
	return trackView{te.sc.EgressID, te.sc.TrackSID, te.sc.ParticipantIdentity, te.sc.Kind, te.sc.Codec, te.status.String()}
}
