package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// vp8Key is a fake VP8 keyframe header for 320x240 (enough for the parser).
func vp8Key(w, h int, size int) []byte {
	f := make([]byte, size)
	f[0] = 0x10 // keyframe bit 0 = 0, show_frame etc.
	f[3], f[4], f[5] = 0x9d, 0x01, 0x2a
	binary.LittleEndian.PutUint16(f[6:], uint16(w))
	binary.LittleEndian.PutUint16(f[8:], uint16(h))
	return f
}

func vp8Delta(size int) []byte {
	f := make([]byte, size)
	f[0] = 0x01
	return f
}

func TestIVFHeaderAndPatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.ivf")
	w, err := newIVFWriter(path, "VP80")
	if err != nil {
		t.Fatal(err)
	}
	ts := uint32(4294960000) // wraps
	_, kw, kh := vp8Keyframe(vp8Key(320, 240, 200))
	w.writeFrame(vp8Key(320, 240, 200), ts, kw, kh)
	for i := 1; i < 30; i++ {
		w.writeFrame(vp8Delta(100), ts+uint32(i*3000), 0, 0)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b[:4]) != "DKIF" || string(b[8:12]) != "VP80" {
		t.Fatalf("bad header % x", b[:32])
	}
	if binary.LittleEndian.Uint16(b[6:]) != 32 || binary.LittleEndian.Uint16(b[12:]) != 320 || binary.LittleEndian.Uint16(b[14:]) != 240 {
		t.Fatal("bad header size or dimensions")
	}
	if le32(b[16:]) != 90000 || le32(b[20:]) != 1 {
		t.Fatal("time base is not 1/90000")
	}
	// 30 frames, last pts 87000: length = 30*87000/29 = 90000 ticks (1 s).
	if got := le32(b[24:]); got != 90000 {
		t.Fatalf("length field %d, want 90000", got)
	}
	// Frame pts are RTP time relative to the first frame, across the wrap.
	off := 32 + 12 + 200
	if pts := binary.LittleEndian.Uint64(b[off+4:]); pts != 3000 {
		t.Fatalf("second frame pts %d", pts)
	}
	if w.duration() != time.Second {
		t.Fatalf("duration %v", w.duration())
	}
}

func TestIVFEmptyTrackHasValidHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.ivf")
	w, _ := newIVFWriter(path, "VP90")
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if len(b) != 32 || binary.LittleEndian.Uint16(b[12:]) != ivfDefaultWidth {
		t.Fatalf("header % x", b)
	}
}

func TestKeyframeParsers(t *testing.T) {
	if k, w, h := vp8Keyframe(vp8Key(640, 360, 100)); !k || w != 640 || h != 360 {
		t.Fatalf("vp8 %v %d %d", k, w, h)
	}
	if k, _, _ := vp8Keyframe(vp8Delta(10)); k {
		t.Fatal("vp8 delta seen as key")
	}
	// VP9 profile 0 keyframe, 8-bit, BT.601, 1280x720:
	// frame_marker 10, profile 00, show_existing 0, frame_type 0, show 1, err_res 0,
	// sync 0x49 0x83 0x42, color_space 001, color_range 0, w-1 = 1279, h-1 = 719.
	bits := "10" + "00" + "0" + "0" + "1" + "0" + "01001001" + "10000011" + "01000010" + "001" + "0" +
		bin16(1279) + bin16(719)
	if k, w, h := vp9Keyframe(packBits(bits)); !k || w != 1280 || h != 720 {
		t.Fatalf("vp9 %v %d %d", k, w, h)
	}
	h264 := []byte{0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 9, 9}
	if k, _, _ := h264Keyframe(h264); !k {
		t.Fatal("h264 IDR not found")
	}
	if k, _, _ := h264Keyframe([]byte{0, 0, 1, 0x41, 5}); k {
		t.Fatal("h264 non-IDR seen as key")
	}
}

func bin16(v int) string {
	s := ""
	for i := 15; i >= 0; i-- {
		s += string('0' + rune(v>>i&1))
	}
	return s
}

func packBits(s string) []byte {
	b := make([]byte, (len(s)+7)/8)
	for i, c := range s {
		if c == '1' {
			b[i/8] |= 0x80 >> (i % 8)
		}
	}
	return b
}
