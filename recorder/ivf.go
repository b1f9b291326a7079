package main

import (
	"bufio"
	"encoding/binary"
	"os"
	"time"
)

// IVF writer for VP8, VP9 and H.264 (Annex-B access units).
//
// Layout: a 32-byte file header, then per frame a 12-byte header (size
// uint32, pts uint64) and the frame. The time base is 1/90000 so a frame's pts
// is simply its RTP timestamp minus the first frame's (no frame-rate guessing,
// gotcha 2).
//
// Bytes 24-27 are "number of frames" in the original libvpx description, but
// ffmpeg reads them as the stream length in time-base units (and its own IVF
// muxer writes that there); writing the frame count made ffprobe report
// 0.003 s. We write the length, computed the way ffmpeg's muxer does, so
// ffprobe and ffmpeg get the right duration; vpxdec ignores the field.

const (
	ivfHeaderLen      = 32
	ivfFrameHeaderLen = 12
	ivfClock          = 90000
	ivfDefaultWidth   = 640
	ivfDefaultHeight  = 360
)

type ivfWriter struct {
	f      *os.File
	bw     *bufio.Writer
	fourcc string

	headerWritten bool
	ts            tsUnwrapper
	first         int64 // extended RTP timestamp of the first frame
	firstTS       uint32
	lastPTS       int64
	frames        uint32
}

func newIVFWriter(path, fourcc string) (*ivfWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o640)
	if err != nil {
		return nil, err
	}
	return &ivfWriter{f: f, bw: bufio.NewWriterSize(f, 256<<10), fourcc: fourcc}, nil
}

// ivfHeader builds the 32-byte file header.
func ivfHeader(fourcc string, width, height uint16, length uint32) []byte {
	h := make([]byte, ivfHeaderLen)
	copy(h, "DKIF")
	binary.LittleEndian.PutUint16(h[4:], 0) // version
	binary.LittleEndian.PutUint16(h[6:], ivfHeaderLen)
	copy(h[8:12], fourcc)
	binary.LittleEndian.PutUint16(h[12:], width)
	binary.LittleEndian.PutUint16(h[14:], height)
	binary.LittleEndian.PutUint32(h[16:], ivfClock) // time base denominator (rate)
	binary.LittleEndian.PutUint32(h[20:], 1)        // time base numerator (scale)
	binary.LittleEndian.PutUint32(h[24:], length)
	return h
}

// writeFrame appends one frame. The header is written with the first frame,
// whose keyframe carries the dimensions (width/height 0 = unknown).
func (w *ivfWriter) writeFrame(frame []byte, ts uint32, width, height int) error {
	ext := w.ts.unwrap(ts)
	if !w.headerWritten {
		if width <= 0 || height <= 0 || width > 0xFFFF || height > 0xFFFF {
			width, height = ivfDefaultWidth, ivfDefaultHeight
		}
		if _, err := w.bw.Write(ivfHeader(w.fourcc, uint16(width), uint16(height), 0)); err != nil {
			return err
		}
		w.headerWritten, w.first, w.firstTS = true, ext, ts
	}
	pts := ext - w.first
	if pts < w.lastPTS {
		pts = w.lastPTS // players want non-decreasing pts; WebRTC has no B-frames
	}
	var fh [ivfFrameHeaderLen]byte
	binary.LittleEndian.PutUint32(fh[0:], uint32(len(frame)))
	binary.LittleEndian.PutUint64(fh[4:], uint64(pts))
	if _, err := w.bw.Write(fh[:]); err != nil {
		return err
	}
	if _, err := w.bw.Write(frame); err != nil {
		return err
	}
	w.lastPTS = pts
	w.frames++
	return nil
}

func (w *ivfWriter) flush() error { return w.bw.Flush() }

func (w *ivfWriter) firstTimestamp() (uint32, bool) { return w.firstTS, w.headerWritten }

// duration is last pts plus one average frame interval.
func (w *ivfWriter) duration() time.Duration {
	return time.Duration(ivfLength(w.frames, w.lastPTS)) * time.Second / ivfClock
}

// ivfLength mirrors ffmpeg's IVF muxer: frames * average frame interval.
func ivfLength(frames uint32, lastPTS int64) uint32 {
	if frames < 2 {
		return 0
	}
	return uint32(int64(frames) * lastPTS / int64(frames-1))
}

// close flushes, patches the length field and closes the file. A track that
// never produced a keyframe still gets a valid (empty) IVF header.
func (w *ivfWriter) close() error {
	var err error
	if !w.headerWritten {
		_, err = w.bw.Write(ivfHeader(w.fourcc, ivfDefaultWidth, ivfDefaultHeight, 0))
		w.headerWritten = true
	}
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], ivfLength(w.frames, w.lastPTS))
		_, err = w.f.WriteAt(b[:], 24)
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// tsUnwrapper extends 32-bit RTP timestamps to 64 bits across wrap-around
// (every ~13 h at 90 kHz, ~25 h at 48 kHz, but senders start at random).
type tsUnwrapper struct {
	valid bool
	last  uint32
	ext   int64
}

func (u *tsUnwrapper) unwrap(ts uint32) int64 {
	if !u.valid {
		u.valid, u.last, u.ext = true, ts, int64(ts)
		return u.ext
	}
	u.ext += int64(int32(ts - u.last))
	u.last = ts
	return u.ext
}
