package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRepairIVFTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.ivf")
	w, _ := newIVFWriter(path, "VP80")
	w.writeFrame(vp8Key(320, 240, 200), 0, 320, 240)
	for i := 1; i < 10; i++ {
		w.writeFrame(vp8Delta(100), uint32(i*9000), 0, 0)
	}
	w.flush() // a crash: no close, so no header patch
	w.f.Close()
	// Append a torn frame: header claims 500 bytes, only 50 written.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	var fh [12]byte
	binary.LittleEndian.PutUint32(fh[:], 500)
	f.Write(fh[:])
	f.Write(make([]byte, 50))
	f.Close()

	rep, err := repairIVF(path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.frames != 10 {
		t.Fatalf("frames %d", rep.frames)
	}
	b, _ := os.ReadFile(path)
	if want := 32 + 12*10 + 200 + 9*100; len(b) != want || rep.size != int64(want) {
		t.Fatalf("size %d, want %d", len(b), want)
	}
	if got := le32(b[24:]); got != 90000 { // 10 * 81000 / 9
		t.Fatalf("length %d", got)
	}
	if rep.duration != time.Second {
		t.Fatalf("duration %v", rep.duration)
	}
}

func TestRepairIVFEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.ivf")
	os.WriteFile(path, nil, 0o640)
	if _, err := repairIVF(path); err != errNoMedia {
		t.Fatalf("err %v", err)
	}
}

func TestRepairOggTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ogg")
	w, _ := newOggOpusWriter(path, 2)
	for i := 0; i < 100; i++ {
		w.writeSample(testOpus, uint32(i*960))
	}
	w.flush() // crash: no close, last page has no EOS
	w.f.Close()
	good, _ := os.Stat(path)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("OggS\x00\x00garbage")) // half a page
	f.Close()

	rep, err := repairOgg(path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.frames != 100 || rep.duration != 2*time.Second || rep.size != good.Size() {
		t.Fatalf("%+v (good size %d)", rep, good.Size())
	}
	pages := readPages(t, path) // every CRC valid, nothing trailing
	if pages[len(pages)-1].flags&oggFlagEOS == 0 {
		t.Fatal("no EOS after repair")
	}
	ffprobeDuration(t, path, 2.0)
}

func TestRepairOggCorruptMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ogg")
	w, _ := newOggOpusWriter(path, 2)
	for i := 0; i < 10; i++ {
		w.writeSample(testOpus, uint32(i*960))
	}
	w.close()
	b, _ := os.ReadFile(path)
	pages := readPages(t, path)
	// Flip a byte inside the 6th audio page: repair keeps the 5 before it.
	off := int64(0)
	for _, p := range pages[:2+5] {
		off += p.size
	}
	b[off+30] ^= 0xFF
	os.WriteFile(path, b, 0o640)
	rep, err := repairOgg(path)
	if err != nil || rep.frames != 5 {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestSidecarRoundTripAndLeftovers(t *testing.T) {
	sp := spool{dir: t.TempDir()}
	sc := &sidecar{EgressID: "EG_abc", RecordingID: "r", Ext: "ogg", ObjectKey: "raw/x/y/p/audio-TR_1.ogg", StartedAt: 42}
	if err := sp.writeSidecar(sc); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(sp.sidecarPath("EG_zzz")+".tmp", []byte("{"), 0o640) // interrupted rewrite
	left, err := sp.leftovers()
	if err != nil || len(left) != 1 || *left[0] != *sc {
		t.Fatalf("%v %+v", err, left)
	}
	if _, err := os.Stat(sp.sidecarPath("EG_zzz") + ".tmp"); !os.IsNotExist(err) {
		t.Fatal("tmp sidecar not cleaned")
	}
	os.WriteFile(sp.mediaPath(sc), []byte("x"), 0o640)
	if err := sp.quarantine(sc); err != nil {
		t.Fatal(err)
	}
	if left, _ := sp.leftovers(); len(left) != 0 {
		t.Fatal("quarantined track still listed")
	}
}

func TestObjectKeyAndIdentity(t *testing.T) {
	if k := objectKey("raw/a/b/", "alice@x", "audio", "TR_1", 1, "ogg"); k != "raw/a/b/alice@x/audio-TR_1.ogg" {
		t.Fatal(k)
	}
	if k := objectKey("raw/a/b/", "alice", "video", "TR_1", 2, "ivf"); k != "raw/a/b/alice/video-TR_1-2.ivf" {
		t.Fatal(k)
	}
	if s := safeIdentity("a/b c"); s != "a_b_c" {
		t.Fatal(s)
	}
}

func TestTimeline(t *testing.T) {
	var tl timeline
	t0 := time.Unix(1000, 0)
	tl.packet(90000, t0)
	if got := tl.wallClock(90000+45000, 90000); !got.Equal(t0.Add(500 * time.Millisecond)) {
		t.Fatal(got)
	}
	// A sender report 20 ms off the arrival estimate is taken.
	ntpSec := uint64(1000 + 2208988800 + 1)
	ntp := ntpSec<<32 | uint64(1<<32)/50
	if !tl.senderReport(ntp, 90000+90000, 90000) {
		t.Fatal("SR rejected")
	}
	if got := tl.wallClock(90000, 90000); got.Sub(t0) < 19*time.Millisecond || got.Sub(t0) > 21*time.Millisecond {
		t.Fatalf("refined start off by %v", got.Sub(t0))
	}
}
