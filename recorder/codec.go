package main

import "bytes"

// Just enough bitstream parsing to find keyframes and their dimensions; the
// payloads themselves are written untouched.

// vp8Keyframe reports whether a VP8 frame is a keyframe and, if so, its size
// (RFC 6386 section 9.1: 3-byte frame tag, start code 9d 01 2a, 14-bit sizes).
func vp8Keyframe(f []byte) (key bool, w, h int) {
	if len(f) < 3 || f[0]&1 != 0 {
		return false, 0, 0
	}
	if len(f) >= 10 && f[3] == 0x9d && f[4] == 0x01 && f[5] == 0x2a {
		w = int(f[6]) | int(f[7]&0x3f)<<8
		h = int(f[8]) | int(f[9]&0x3f)<<8
	}
	return true, w, h
}

// vp9Keyframe parses the start of a VP9 uncompressed header (VP9 bitstream
// spec 6.2) for frame_type and, on keyframes, frame_width/height.
func vp9Keyframe(f []byte) (key bool, w, h int) {
	r := bitReader{b: f}
	if r.bits(2) != 2 { // frame_marker
		return false, 0, 0
	}
	profile := r.bits(1) | r.bits(1)<<1
	if profile == 3 {
		r.bits(1) // reserved_zero
	}
	if r.bits(1) == 1 { // show_existing_frame
		return false, 0, 0
	}
	if r.bits(1) != 0 { // frame_type: 0 = KEY_FRAME
		return false, 0, 0
	}
	r.bits(2) // show_frame, error_resilient_mode
	if r.bits(8) != 0x49 || r.bits(8) != 0x83 || r.bits(8) != 0x42 {
		return true, 0, 0
	}
	if profile >= 2 {
		r.bits(1) // ten_or_twelve_bit
	}
	if cs := r.bits(3); cs != 7 { // color_space != CS_RGB
		r.bits(1) // color_range
		if profile == 1 || profile == 3 {
			r.bits(3) // subsampling_x, subsampling_y, reserved_zero
		}
	} else if profile == 1 || profile == 3 {
		r.bits(1) // reserved_zero
	}
	w, h = r.bits(16)+1, r.bits(16)+1
	if r.overrun {
		return true, 0, 0
	}
	return true, w, h
}

// h264Keyframe reports whether an Annex-B access unit contains an IDR slice.
// Dimensions would need a full SPS parse (exp-Golomb, scaling lists, cropping),
// so they are left to the IVF default; decoders read them from the SPS anyway.
func h264Keyframe(au []byte) (key bool, w, h int) {
	for _, nal := range splitAnnexB(au) {
		if len(nal) > 0 && nal[0]&0x1f == 5 {
			return true, 0, 0
		}
	}
	return false, 0, 0
}

func splitAnnexB(b []byte) [][]byte {
	var nals [][]byte
	sc := []byte{0, 0, 1}
	for i := bytes.Index(b, sc); i >= 0; {
		b = b[i+3:]
		j := bytes.Index(b, sc)
		if j < 0 {
			return append(nals, b)
		}
		// A 4-byte start code leaves its leading zero on the previous NAL.
		nals = append(nals, bytes.TrimRight(b[:j], "\x00"))
		b, i = b[j:], 0
	}
	return nals
}

type bitReader struct {
	b       []byte
	pos     int // in bits
	overrun bool
}

func (r *bitReader) bits(n int) int {
	v := 0
	for i := 0; i < n; i++ {
		if r.pos/8 >= len(r.b) {
			r.overrun = true
			return 0
		}
		bit := (r.b[r.pos/8] >> (7 - uint(r.pos%8))) & 1
		v = v<<1 | int(bit)
		r.pos++
	}
	return v
}
