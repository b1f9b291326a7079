package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/livekit/server-sdk-go/v2/pkg/samplebuilder"
)

// Sample-builder depths in packets, as in the SDK's filesaver example; the
// recording notes measured no drops with them on a LAN.
const (
	maxAudioLate = 200  // ~4 s of 20 ms Opus
	maxVideoLate = 1000 // ~2 s of 1080p
	// While waiting for the first keyframe, ask again this often: the SFU
	// may have dropped the first PLI while it was itself waiting for one.
	pliInterval = time.Second
	// Even loss-triggered requests are spaced out: during a loss burst every
	// dropped packet would otherwise send one.
	pliMinInterval = 250 * time.Millisecond
	// The SFU sends ~6 blank 8x8 keyframes of ~31 bytes after an unpublish
	// (gotcha 3); no real keyframe is this small.
	blankFrameMax = 64
)

// codecInfo says how one negotiated codec is recorded.
type codecInfo struct {
	kind, name, ext, fourcc string
	newDepacketizer         func() rtp.Depacketizer
	keyframe                func([]byte) (bool, int, int)
}

func lookupCodec(mimeType string) (codecInfo, error) {
	switch strings.ToLower(mimeType) {
	case "audio/opus":
		return codecInfo{kind: "audio", name: "opus", ext: "ogg",
			newDepacketizer: func() rtp.Depacketizer { return &codecs.OpusPacket{} }}, nil
	case "video/vp8":
		return codecInfo{kind: "video", name: "vp8", ext: "ivf", fourcc: "VP80", keyframe: vp8Keyframe,
			newDepacketizer: func() rtp.Depacketizer { return &codecs.VP8Packet{} }}, nil
	case "video/vp9":
		return codecInfo{kind: "video", name: "vp9", ext: "ivf", fourcc: "VP90", keyframe: vp9Keyframe,
			newDepacketizer: func() rtp.Depacketizer { return &codecs.VP9Packet{} }}, nil
	case "video/h264":
		// H264Packet emits Annex-B (start codes) unless IsAVC is set.
		return codecInfo{kind: "video", name: "h264", ext: "ivf", fourcc: "H264", keyframe: h264Keyframe,
			newDepacketizer: func() rtp.Depacketizer { return &codecs.H264Packet{} }}, nil
	}
	return codecInfo{}, fmt.Errorf("codec %s is not recorded", mimeType)
}

// trackWriter turns one track's RTP packets into a spool file: it reorders
// packets into frames (sample builder) and hands them, payloads untouched, to
// the Ogg or IVF writer. All methods are safe for concurrent use: packets come
// from the track's read loop, sender reports from the RTCP loop, flushes from
// a ticker and close from whoever ends the track.
type trackWriter struct {
	mu     sync.Mutex
	codec  codecInfo
	clock  uint32
	sb     *samplebuilder.SampleBuilder
	ogg    *oggOpusWriter
	ivf    *ivfWriter
	closed bool
	err    error // first write error; nothing more is written after it

	requestKeyframe func()
	lastPLI         time.Time
	haveKeyframe    bool
	afterBlank      bool // deltas after a blank frame reference it: drop until a real keyframe
	blankFrames     int
	droppedPackets  int

	tl timeline

	// onStart is called once, outside the lock, when the first frame is
	// written or the start time is refined, so the sidecar can be updated.
	onStart func(start time.Time)

	stopFlush chan struct{}
	flushDone chan struct{}
}

func newTrackWriter(path string, c codecInfo, clockRate uint32, channels uint16, requestKeyframe func(), onStart func(time.Time)) (*trackWriter, error) {
	w := &trackWriter{codec: c, clock: clockRate, requestKeyframe: requestKeyframe, onStart: onStart,
		stopFlush: make(chan struct{}), flushDone: make(chan struct{})}
	if w.clock == 0 {
		w.clock = 90000
	}
	var err error
	depth := uint16(maxVideoLate)
	if c.kind == "audio" {
		depth = maxAudioLate
		w.clock = opusClock
		w.ogg, err = newOggOpusWriter(path, channels)
	} else {
		w.ivf, err = newIVFWriter(path, c.fourcc)
	}
	if err != nil {
		return nil, err
	}
	w.sb = samplebuilder.New(depth, c.newDepacketizer(), w.clock,
		samplebuilder.WithPacketDroppedHandler(func() {
			// Called with w.mu held (from Push/Pop). A lost video packet
			// breaks decoding until the next keyframe, so ask for one now.
			w.droppedPackets++
			if c.kind == "video" {
				w.pli(true)
			}
		}))
	if c.kind == "video" {
		w.pli(true) // on subscribe (gotcha 5)
	}
	go w.flushLoop()
	return w, nil
}

// flushLoop pushes buffered bytes to the spool file every second, so a killed
// recorder loses at most about a second.
func (w *trackWriter) flushLoop() {
	defer close(w.flushDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-w.stopFlush:
			return
		case <-t.C:
			w.mu.Lock()
			if !w.closed && w.err == nil {
				w.err = w.file().flush()
			}
			if w.codec.kind == "video" && !w.haveKeyframe {
				w.pli(false)
			}
			w.mu.Unlock()
		}
	}
}

func (w *trackWriter) file() interface{ flush() error } {
	if w.ogg != nil {
		return w.ogg
	}
	return w.ivf
}

// pli requests a keyframe; must hold w.mu. Unforced requests are rate-limited.
func (w *trackWriter) pli(force bool) {
	min := pliInterval
	if force {
		min = pliMinInterval
	}
	if w.requestKeyframe == nil || time.Since(w.lastPLI) < min {
		return
	}
	w.lastPLI = time.Now()
	go w.requestKeyframe() // never block the packet path on the network
}

// push adds one RTP packet and writes every frame it completes.
func (w *trackWriter) push(pkt *rtp.Packet, arrival time.Time) {
	var started *time.Time
	w.mu.Lock()
	if w.closed || w.err != nil {
		w.mu.Unlock()
		return
	}
	if pkt.Padding && int(pkt.PaddingSize) >= len(pkt.Payload) {
		// The SFU probes bandwidth with padding-only packets on the media
		// SSRC (here: P bit, padding size 255, and the padding still in
		// Payload, 254 zeros then 0xff). They must stay in the sample builder
		// to keep sequence numbers contiguous, but as empty packets, which
		// yield empty (skipped) samples; as data they looked like VP8
		// keyframes and put 8 black-ish frames at the start of the file.
		pkt.Payload = nil
	} else {
		w.tl.packet(pkt.Timestamp, arrival)
	}
	w.sb.Push(pkt)
	for {
		s, ts := w.sb.PopWithTimestamp()
		if s == nil {
			break
		}
		first := !w.hasMedia()
		w.writeFrame(s.Data, ts)
		if first && w.hasMedia() {
			t := w.startLocked()
			started = &t
		}
	}
	w.mu.Unlock()
	if started != nil && w.onStart != nil {
		w.onStart(*started)
	}
}

func (w *trackWriter) writeFrame(data []byte, ts uint32) {
	if len(data) == 0 || w.err != nil {
		return
	}
	if w.ogg != nil {
		w.err = w.ogg.writeSample(data, ts)
		return
	}
	key, width, height := w.codec.keyframe(data)
	if key && len(data) < blankFrameMax && width <= 16 && height <= 16 {
		w.blankFrames++
		w.afterBlank = true
		return
	}
	if key {
		w.haveKeyframe, w.afterBlank = true, false
	}
	if !w.haveKeyframe || w.afterBlank {
		return // undecodable without the keyframe it depends on
	}
	w.err = w.ivf.writeFrame(data, ts, width, height)
}

func (w *trackWriter) hasMedia() bool {
	if w.ogg != nil {
		_, ok := w.ogg.firstTimestamp()
		return ok
	}
	_, ok := w.ivf.firstTimestamp()
	return ok
}

// startLocked is the wall-clock time of the file's first sample.
func (w *trackWriter) startLocked() time.Time {
	var ts uint32
	if w.ogg != nil {
		ts, _ = w.ogg.firstTimestamp()
	} else {
		ts, _ = w.ivf.firstTimestamp()
	}
	return w.tl.wallClock(ts, w.clock)
}

// senderReport refines the start time with the first RTCP sender report.
func (w *trackWriter) senderReport(sr *rtcp.SenderReport) {
	var refined *time.Time
	w.mu.Lock()
	if !w.closed && w.tl.senderReport(sr.NTPTime, sr.RTPTime, w.clock) && w.hasMedia() {
		t := w.startLocked()
		refined = &t
	}
	w.mu.Unlock()
	if refined != nil && w.onStart != nil {
		w.onStart(*refined)
	}
}

// writerResult describes a finished spool file.
type writerResult struct {
	start    time.Time // zero if no media was written
	duration time.Duration
	frames   int
	blank    int
	dropped  int
	drift    time.Duration // see timeline.drift
	usedSR   bool          // start time from an RTCP sender report
}

// close drains the sample builder, finalizes the file and stops the flusher.
// It is idempotent; later packets are ignored.
func (w *trackWriter) close() (writerResult, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.flushDone
		return w.result(), w.err
	}
	w.closed = true
	for {
		s, ts := w.sb.ForcePopWithTimestamp()
		if s == nil {
			break
		}
		w.writeFrame(s.Data, ts)
	}
	var cerr error
	if w.ogg != nil {
		cerr = w.ogg.close()
	} else {
		cerr = w.ivf.close()
	}
	if w.err == nil {
		w.err = cerr
	}
	res, err := w.result(), w.err
	w.mu.Unlock()
	close(w.stopFlush)
	<-w.flushDone
	return res, err
}

func (w *trackWriter) result() writerResult {
	r := writerResult{blank: w.blankFrames, dropped: w.droppedPackets, drift: w.tl.drift(w.clock), usedSR: w.tl.haveSR}
	if w.hasMedia() {
		r.start = w.startLocked()
	}
	if w.ogg != nil {
		r.duration, r.frames = w.ogg.duration(), w.ogg.packets+w.ogg.silenceFrames
	} else {
		r.duration, r.frames = w.ivf.duration(), int(w.ivf.frames)
	}
	return r
}

// timeline maps RTP timestamps to wall-clock time.
//
// Two references exist: the arrival time of the first packet (what the SDK's
// synchronizer starts from) and the first RTCP sender report (NTP time for an
// RTP timestamp). The sender report is used when it has arrived and agrees
// with arrival time within maxSRSkew (they agreed within 3-29 ms here, once
// 213 ms); otherwise first-packet arrival is used. Sender reports come only
// every few seconds, so a short track may only ever have the arrival time.
type timeline struct {
	havePkt      bool
	firstArrival time.Time
	firstTS      uint32
	lastArrival  time.Time // for the drift figure in the end-of-track log
	lastTS       uint32

	haveSR bool
	srWall time.Time
	srTS   uint32
}

const maxSRSkew = time.Second

func (t *timeline) packet(ts uint32, arrival time.Time) {
	if !t.havePkt {
		t.havePkt, t.firstArrival, t.firstTS = true, arrival, ts
	}
	t.lastArrival, t.lastTS = arrival, ts
}

// drift is RTP time minus arrival time between the first and last packet:
// positive when the sender's clock runs fast (or packets arrived in a burst).
func (t *timeline) drift(clock uint32) time.Duration {
	if !t.havePkt {
		return 0
	}
	return rtpDelta(t.firstTS, t.lastTS, clock) - t.lastArrival.Sub(t.firstArrival)
}

// senderReport records the first plausible sender report; it reports whether
// it was taken.
func (t *timeline) senderReport(ntp uint64, ts uint32, clock uint32) bool {
	if t.haveSR || !t.havePkt {
		return false
	}
	wall := ntpTime(ntp)
	byArrival := t.firstArrival.Add(rtpDelta(t.firstTS, ts, clock))
	if d := wall.Sub(byArrival); d > maxSRSkew || d < -maxSRSkew {
		return false
	}
	t.haveSR, t.srWall, t.srTS = true, wall, ts
	return true
}

func (t *timeline) wallClock(ts uint32, clock uint32) time.Time {
	if t.haveSR {
		return t.srWall.Add(rtpDelta(t.srTS, ts, clock))
	}
	return t.firstArrival.Add(rtpDelta(t.firstTS, ts, clock))
}

// rtpDelta is the signed time from RTP timestamp a to b.
func rtpDelta(a, b uint32, clock uint32) time.Duration {
	return time.Duration(int64(int32(b-a)) * int64(time.Second) / int64(clock))
}

// ntpTime converts a 64-bit NTP timestamp (seconds since 1900, 32.32 fixed
// point) to time.Time.
func ntpTime(ntp uint64) time.Time {
	const ntpEpochOffset = 2208988800 // 1900-01-01 to 1970-01-01 in seconds
	sec := int64(ntp>>32) - ntpEpochOffset
	nsec := int64((ntp & 0xFFFFFFFF) * 1e9 >> 32)
	return time.Unix(sec, nsec)
}
