package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The spool directory holds each in-progress track as <egressId>.<ext> plus a
// JSON sidecar <egressId>.json describing it. The sidecar exists before the
// media file and is removed after it, so every leftover media file found at
// start-up can be attributed, repaired, uploaded and reported.
// Files whose upload failed are moved to <spool>/failed/ for a human: they
// were already reported as EGRESS_FAILED and must not be reported again.

type sidecar struct {
	EgressID            string `json:"egressId"`
	RecordingID         string `json:"recordingId"`
	Room                string `json:"room"`
	RoomID              string `json:"roomId,omitempty"`
	ObjectKey           string `json:"objectKey"`
	ParticipantIdentity string `json:"participantIdentity"`
	TrackSID            string `json:"trackSid"`
	Kind                string `json:"kind"`
	Codec               string `json:"codec"`
	Ext                 string `json:"ext"`
	// EgressStartedAt is when the track writer started (EgressInfo.startedAt),
	// StartedAt the wall clock of the file's first sample (FileInfo.startedAt);
	// both unix ns, StartedAt 0 until media arrived.
	EgressStartedAt int64 `json:"egressStartedAt"`
	StartedAt       int64 `json:"startedAt"`
}

type spool struct{ dir string }

func (s spool) mediaPath(sc *sidecar) string {
	return filepath.Join(s.dir, sc.EgressID+"."+sc.Ext)
}
func (s spool) sidecarPath(egressID string) string {
	return filepath.Join(s.dir, egressID+".json")
}

// writeSidecar replaces the sidecar atomically (write, fsync, rename) so a
// crash never leaves half a JSON file.
func (s spool) writeSidecar(sc *sidecar) error {
	b, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	tmp := s.sidecarPath(sc.EgressID) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, s.sidecarPath(sc.EgressID))
}

// remove deletes a track's media file and sidecar (after a successful upload).
func (s spool) remove(sc *sidecar) {
	os.Remove(s.mediaPath(sc))
	os.Remove(s.sidecarPath(sc.EgressID))
}

// quarantine moves a track whose upload failed out of the recovery scan.
func (s spool) quarantine(sc *sidecar) error {
	dir := filepath.Join(s.dir, "failed")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := os.Rename(s.mediaPath(sc), filepath.Join(dir, filepath.Base(s.mediaPath(sc)))); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.Rename(s.sidecarPath(sc.EgressID), filepath.Join(dir, sc.EgressID+".json"))
}

// leftovers lists the sidecars of tracks a previous process did not finish.
func (s spool) leftovers() ([]*sidecar, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []*sidecar
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, ".tmp") {
			os.Remove(filepath.Join(s.dir, name)) // an interrupted sidecar rewrite; the old one is intact
			continue
		}
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil {
			return nil, err
		}
		sc := &sidecar{}
		if err := json.Unmarshal(b, sc); err != nil || sc.EgressID == "" || sc.Ext == "" {
			return nil, fmt.Errorf("spool: bad sidecar %s: %v", name, err)
		}
		out = append(out, sc)
	}
	return out, nil
}

// repaired describes what survived in a repaired spool file.
type repaired struct {
	duration time.Duration
	frames   int // Ogg pages with audio, or IVF frames
	size     int64
}

var errNoMedia = errors.New("no usable media in the file")

// repairIVF drops a torn last frame, then rewrites the header's length field
// from the frames that are complete.
func repairIVF(path string) (repaired, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return repaired{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return repaired{}, err
	}
	hdr := make([]byte, ivfHeaderLen)
	if _, err := f.ReadAt(hdr, 0); err != nil || string(hdr[:4]) != "DKIF" {
		return repaired{}, errNoMedia
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, ivfHeaderLen, st.Size()-ivfHeaderLen), 256<<10)
	off := int64(ivfHeaderLen)
	var frames uint32
	var lastPTS int64
	var fh [ivfFrameHeaderLen]byte
	for {
		if _, err := io.ReadFull(r, fh[:]); err != nil {
			break
		}
		size := int64(binary.LittleEndian.Uint32(fh[0:]))
		if off+ivfFrameHeaderLen+size > st.Size() {
			break // torn frame
		}
		if _, err := r.Discard(int(size)); err != nil {
			break
		}
		lastPTS = int64(binary.LittleEndian.Uint64(fh[4:]))
		frames++
		off += ivfFrameHeaderLen + size
	}
	if err := f.Truncate(off); err != nil {
		return repaired{}, err
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], ivfLength(frames, lastPTS))
	if _, err := f.WriteAt(b[:], 24); err != nil {
		return repaired{}, err
	}
	if frames == 0 {
		return repaired{size: off}, errNoMedia
	}
	d := time.Duration(ivfLength(frames, lastPTS)) * time.Second / ivfClock
	return repaired{duration: d, frames: int(frames), size: off}, f.Sync()
}

// repairOgg keeps every page up to the first torn or corrupt one, truncates
// there and sets the EOS flag on the last kept page, so demuxers see a
// properly terminated stream.
func repairOgg(path string) (repaired, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return repaired{}, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var (
		off, lastOff int64
		last         []byte
		pages        int
		preSkip      int64
		granule      int64
	)
	hdr := make([]byte, oggHeaderLen)
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			break
		}
		nseg := int(hdr[26])
		lacing := make([]byte, nseg)
		if _, err := io.ReadFull(r, lacing); err != nil {
			break
		}
		bodyLen := 0
		for _, l := range lacing {
			bodyLen += int(l)
		}
		page := make([]byte, 0, oggHeaderLen+nseg+bodyLen)
		page = append(append(page, hdr...), lacing...)
		page = page[:oggHeaderLen+nseg+bodyLen]
		if _, err := io.ReadFull(r, page[oggHeaderLen+nseg:]); err != nil {
			break
		}
		p, err := parseOggPage(page)
		if err != nil {
			break
		}
		if pages == 0 {
			if len(p.body) < 19 || string(p.body[:8]) != "OpusHead" {
				return repaired{}, errNoMedia
			}
			preSkip = int64(binary.LittleEndian.Uint16(p.body[10:]))
		}
		pages++
		granule = p.granule
		last, lastOff = page, off
		off += p.size
	}
	if pages < 2 { // OpusHead and OpusTags are the minimum a demuxer accepts
		return repaired{}, errNoMedia
	}
	if err := f.Truncate(off); err != nil {
		return repaired{}, err
	}
	if last[5]&oggFlagEOS == 0 {
		setOggEOS(last)
		if _, err := f.WriteAt(last, lastOff); err != nil {
			return repaired{}, err
		}
	}
	audio := pages - 2
	if audio == 0 {
		return repaired{size: off}, errNoMedia
	}
	d := time.Duration(max(granule-preSkip, 0)) * time.Second / opusClock
	return repaired{duration: d, frames: audio, size: off}, f.Sync()
}
