package main

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A 20 ms CELT frame (config 31, mono) used as test payload.
var testOpus = []byte{0xF8, 0xFF, 0xFE}

func readPages(t *testing.T, path string) []oggPage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pages []oggPage
	for off := 0; off < len(b); {
		p, err := parseOggPage(b[off:])
		if err != nil {
			t.Fatalf("page at %d: %v", off, err)
		}
		pages = append(pages, p)
		off += int(p.size)
	}
	return pages
}

func TestOggGranulesFollowRTPTimeAcrossGap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ogg")
	w, err := newOggOpusWriter(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	base := uint32(0xFFFFF000) // wraps around during the test
	ts := base
	for i := 0; i < 50; i++ { // 1 s of audio
		if err := w.writeSample(testOpus, ts); err != nil {
			t.Fatal(err)
		}
		ts += 960
	}
	ts += 48000 * 2 // 2 s of DTX silence: no packets
	for i := 0; i < 50; i++ {
		w.writeSample(testOpus, ts)
		ts += 960
	}
	if got, want := w.duration(), 4*time.Second; got != want {
		t.Fatalf("duration %v, want %v", got, want)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	pages := readPages(t, path) // also verifies every CRC
	if string(pages[0].body[:8]) != "OpusHead" || pages[0].flags&oggFlagBOS == 0 || pages[0].body[9] != 2 {
		t.Fatalf("bad OpusHead page: %+v", pages[0])
	}
	if string(pages[1].body[:8]) != "OpusTags" {
		t.Fatal("second page is not OpusTags")
	}
	audio := pages[2:]
	// 100 packets plus 100 silence frames for 2 s.
	if len(audio) != 200 {
		t.Fatalf("%d audio pages, want 200", len(audio))
	}
	for i, p := range audio {
		if want := int64(i+1) * 960; p.granule != want {
			t.Fatalf("page %d granule %d, want %d", i, p.granule, want)
		}
		if p.seq != uint32(i+2) {
			t.Fatalf("page %d seq %d", i, p.seq)
		}
	}
	last := audio[len(audio)-1]
	if last.flags&oggFlagEOS == 0 {
		t.Fatal("last page lacks EOS")
	}
	if string(audio[60].body) != string(opusSilence) {
		t.Fatal("gap not filled with silence frames")
	}
	ffprobeDuration(t, path, 4.0)
}

func TestOggOddGapAndReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.ogg")
	w, _ := newOggOpusWriter(path, 1)
	w.writeSample(testOpus, 1000)
	w.writeSample(testOpus, 1000+960+500) // gap of 500 samples: under one frame
	if w.next != 960+500+960 {
		t.Fatalf("next %d", w.next)
	}
	w.writeSample(testOpus, 5) // backwards: re-anchored, no silence
	if w.next != 960+500+960+960 || w.silenceFrames != 0 {
		t.Fatalf("after reset next %d silence %d", w.next, w.silenceFrames)
	}
	w.close()
}

func TestOggCRCKnownValue(t *testing.T) {
	// CRC-32/MPEG-2 without final inversion ("CRC-32/BZIP2 without xorout",
	// as Ogg uses): check value of "123456789" is 0x89A1897F.
	var crc uint32
	for _, b := range []byte("123456789") {
		crc = (crc << 8) ^ oggCRCTable[byte(crc>>24)^b]
	}
	if crc != 0x89A1897F {
		t.Fatalf("crc %08x", crc)
	}
}

func TestOpusPacketSamples(t *testing.T) {
	cases := map[string]struct {
		p    []byte
		want int
	}{
		"celt 20ms":       {[]byte{0xF8}, 960},
		"silk 20ms":       {[]byte{0x08}, 960}, // config 1
		"silk 60ms":       {[]byte{0x18}, 2880},
		"hybrid 10ms x2":  {[]byte{0x61}, 960}, // config 12, code 1
		"celt 2.5ms x3":   {[]byte{0x83, 0x03}, 360},
		"empty":           {nil, 0},
		"code 3 too long": {[]byte{0x1B, 0x3F}, 0},
	}
	for name, c := range cases {
		if got := opusPacketSamples(c.p); got != c.want {
			t.Errorf("%s: %d, want %d", name, got, c.want)
		}
	}
}

// ffprobeDuration checks the file with ffprobe when it is installed.
func ffprobeDuration(t *testing.T, path string, want float64) {
	t.Helper()
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Log("ffprobe not installed; skipping the ffprobe check")
		return
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration",
		"-of", "csv=p=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v: %s", err, out)
	}
	got, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("ffprobe output %q", out)
	}
	if got < want-0.05 || got > want+0.05 {
		t.Fatalf("ffprobe duration %.3f, want %.3f", got, want)
	}
	// A decode pass catches CRC or framing errors that probing skips.
	if out, err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", path, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg decode: %v: %s", err, out)
	}
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
