package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"
)

// Ogg Opus (RFC 7845) writer.
//
// pion's oggwriter derives granule positions from the sample count of each
// packet, so Opus DTX (the sender stops sending during silence) shortens the
// file: 11.3 s of RTP became 8.8 s (gotcha 1 in the recording notes). Here the
// granule position follows RTP time, and RTP gaps are filled with 20 ms Opus
// silence frames so that the decoded sample count also matches wall-clock
// time.

const (
	opusClock        = 48000
	opusSilenceLen   = 960 // samples in one 20 ms frame at 48 kHz
	oggHeaderLen     = 27
	oggFlagBOS       = 0x02
	oggFlagEOS       = 0x04
	oggMaxPacketSize = 255*255 - 1
	// A longer RTP gap than this is treated as a sender timestamp reset, not as
	// silence: we would rather splice than write an hour of silence.
	opusMaxGap = 10 * 60 * opusClock
)

// opusSilence is a 20 ms CELT fullband frame (TOC 0xF8: config 31, mono, one
// frame) that decodes to silence; mono packets are legal in a stereo stream.
var opusSilence = []byte{0xF8, 0xFF, 0xFE}

type oggOpusWriter struct {
	f      *os.File
	bw     *bufio.Writer
	serial uint32
	seq    uint32
	off    int64 // file offset of the next page

	// The last page is kept so close() can set its EOS flag in place.
	lastPage    []byte
	lastPageOff int64

	ts      tsUnwrapper
	started bool
	base    int64 // extended RTP timestamp of sample 0
	next    int64 // sample position where the next packet should start

	packets, silenceFrames int
	firstTS                uint32
}

func newOggOpusWriter(path string, channels uint16) (*oggOpusWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o640)
	if err != nil {
		return nil, err
	}
	w := &oggOpusWriter{f: f, bw: bufio.NewWriterSize(f, 32<<10), serial: uint32(time.Now().UnixNano())}
	if channels < 1 || channels > 2 {
		channels = 2 // mapping family 0 only allows 1 or 2
	}
	// Headers go to disk at once: from now on the spool file is a valid
	// (empty) Ogg Opus stream even if the recorder is killed.
	err = w.writeHeaders(channels)
	if err == nil {
		err = w.bw.Flush()
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func (w *oggOpusWriter) writeHeaders(channels uint16) error {
	head := make([]byte, 19)
	copy(head, "OpusHead")
	head[8] = 1 // version
	head[9] = byte(channels)
	// Pre-skip 0: the recording starts mid-stream, so there is no encoder
	// warm-up to hide, and sample 0 of the file is exactly the first packet.
	binary.LittleEndian.PutUint16(head[10:], 0)
	binary.LittleEndian.PutUint32(head[12:], opusClock) // input sample rate (informational)
	binary.LittleEndian.PutUint16(head[16:], 0)         // output gain
	head[18] = 0                                        // channel mapping family
	if err := w.writePage(head, 0, oggFlagBOS); err != nil {
		return err
	}
	vendor := "parley-recorder"
	tags := make([]byte, 8+4+len(vendor)+4)
	copy(tags, "OpusTags")
	binary.LittleEndian.PutUint32(tags[8:], uint32(len(vendor)))
	copy(tags[12:], vendor)
	// user comment list length stays 0
	return w.writePage(tags, 0, 0)
}

// writeSample writes one Opus packet whose first sample has RTP timestamp ts.
func (w *oggOpusWriter) writeSample(payload []byte, ts uint32) error {
	if len(payload) == 0 {
		return nil
	}
	ext := w.ts.unwrap(ts)
	if !w.started {
		w.started, w.base, w.firstTS = true, ext, ts
	}
	rel := ext - w.base
	switch gap := rel - w.next; {
	case gap < 0 || gap > opusMaxGap:
		// Timestamp went backwards or jumped absurdly: re-anchor and splice.
		w.base = ext - w.next
		rel = w.next
	case gap >= opusSilenceLen:
		// DTX or lost packets: fill with silence, 20 ms at a time. A remainder
		// under 20 ms is carried by the next granule position.
		for ; gap >= opusSilenceLen; gap -= opusSilenceLen {
			w.next += opusSilenceLen
			if err := w.writePage(opusSilence, w.next, 0); err != nil {
				return err
			}
			w.silenceFrames++
		}
	}
	n := opusPacketSamples(payload)
	if n == 0 {
		n = opusSilenceLen // unparseable TOC: assume the WebRTC default of 20 ms
	}
	w.next = rel + int64(n)
	w.packets++
	return w.writePage(payload, w.next, 0)
}

// writePage writes one packet as one page. One packet per page costs ~28 bytes
// per 20 ms but means every flushed byte is a complete, recoverable page.
func (w *oggOpusWriter) writePage(packet []byte, granule int64, flags byte) error {
	if len(packet) > oggMaxPacketSize {
		return fmt.Errorf("ogg: packet of %d bytes too large", len(packet))
	}
	nseg := len(packet)/255 + 1
	page := make([]byte, oggHeaderLen+nseg+len(packet))
	copy(page, "OggS")
	page[4] = 0 // version
	page[5] = flags
	binary.LittleEndian.PutUint64(page[6:], uint64(granule))
	binary.LittleEndian.PutUint32(page[14:], w.serial)
	binary.LittleEndian.PutUint32(page[18:], w.seq)
	page[26] = byte(nseg)
	for i := 0; i < nseg-1; i++ {
		page[oggHeaderLen+i] = 255
	}
	page[oggHeaderLen+nseg-1] = byte(len(packet) % 255)
	copy(page[oggHeaderLen+nseg:], packet)
	binary.LittleEndian.PutUint32(page[22:], oggCRC(page))
	if _, err := w.bw.Write(page); err != nil {
		return err
	}
	w.seq++
	w.lastPage, w.lastPageOff = page, w.off
	w.off += int64(len(page))
	return nil
}

func (w *oggOpusWriter) flush() error { return w.bw.Flush() }

// duration is the media time written so far (granule of the last page).
func (w *oggOpusWriter) duration() time.Duration {
	return time.Duration(w.next) * time.Second / opusClock
}

// firstTimestamp is the RTP timestamp of sample 0, for start-time mapping.
func (w *oggOpusWriter) firstTimestamp() (uint32, bool) { return w.firstTS, w.started }

// close flushes, marks the last page end-of-stream and closes the file.
func (w *oggOpusWriter) close() error {
	err := w.bw.Flush()
	if err == nil && w.lastPage != nil {
		setOggEOS(w.lastPage)
		_, err = w.f.WriteAt(w.lastPage, w.lastPageOff)
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// setOggEOS sets the end-of-stream flag of a complete page and fixes its CRC.
func setOggEOS(page []byte) {
	page[5] |= oggFlagEOS
	binary.LittleEndian.PutUint32(page[22:], 0)
	binary.LittleEndian.PutUint32(page[22:], oggCRC(page))
}

// oggCRC is the Ogg page checksum: CRC-32, polynomial 0x04c11db7, no
// reflection, zero initial value, computed with the CRC field set to zero.
func oggCRC(page []byte) uint32 {
	var crc uint32
	for i, b := range page {
		if i >= 22 && i < 26 {
			b = 0
		}
		crc = (crc << 8) ^ oggCRCTable[byte(crc>>24)^b]
	}
	return crc
}

var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for j := 0; j < 8; j++ {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// opusPacketSamples returns the number of 48 kHz samples in an Opus packet
// (RFC 6716 section 3.1), or 0 if the packet is malformed.
func opusPacketSamples(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	config := p[0] >> 3
	var per int // samples per frame at 48 kHz
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		per = []int{480, 960, 1920, 2880}[config%4]
	case config < 16: // Hybrid: 10, 20 ms
		per = []int{480, 960}[config%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		per = []int{120, 240, 480, 960}[config%4]
	}
	var frames int
	switch p[0] & 3 {
	case 0:
		frames = 1
	case 1, 2:
		frames = 2
	case 3:
		if len(p) < 2 {
			return 0
		}
		frames = int(p[1] & 0x3F)
	}
	if n := per * frames; n <= 5760 { // at most 120 ms per packet
		return n
	}
	return 0
}

// oggPage is one parsed page, used by crash repair and tests.
type oggPage struct {
	off, size int64
	flags     byte
	granule   int64
	seq       uint32
	body      []byte
}

var errOggTruncated = errors.New("ogg: truncated or corrupt page")

// parseOggPage parses the page at the start of b, verifying its CRC.
func parseOggPage(b []byte) (oggPage, error) {
	if len(b) < oggHeaderLen || string(b[:4]) != "OggS" || b[4] != 0 {
		return oggPage{}, errOggTruncated
	}
	nseg := int(b[26])
	if len(b) < oggHeaderLen+nseg {
		return oggPage{}, errOggTruncated
	}
	bodyLen := 0
	for _, l := range b[oggHeaderLen : oggHeaderLen+nseg] {
		bodyLen += int(l)
	}
	size := oggHeaderLen + nseg + bodyLen
	if len(b) < size {
		return oggPage{}, errOggTruncated
	}
	if oggCRC(b[:size]) != binary.LittleEndian.Uint32(b[22:]) {
		return oggPage{}, errOggTruncated
	}
	return oggPage{
		size:    int64(size),
		flags:   b[5],
		granule: int64(binary.LittleEndian.Uint64(b[6:])),
		seq:     binary.LittleEndian.Uint32(b[18:]),
		body:    b[oggHeaderLen+nseg : size],
	}, nil
}
