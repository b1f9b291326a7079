// Command testpublisher joins a LiveKit room and publishes an Ogg Opus file
// and/or an IVF file, for trying parley-recorder by hand. It can simulate
// Opus DTX (packets withheld, RTP time still advancing) and a camera turned on
// late.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/livekit/server-sdk-go/v2/pkg/oggreader"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:27880", "LiveKit URL")
	key := flag.String("key", "devkey", "API key")
	secret := flag.String("secret", "secret", "API secret")
	room := flag.String("room", "", "room name")
	identity := flag.String("identity", "alice", "participant identity")
	audio := flag.String("audio", "", "Ogg Opus file to publish (looped)")
	video := flag.String("video", "", "IVF file to publish")
	videoDelay := flag.Duration("video-delay", 0, "publish the video this long after joining")
	dtxFrom := flag.Duration("dtx-from", 0, "simulate DTX from this point of the audio...")
	dtxTo := flag.Duration("dtx-to", 0, "...to this point (one packet per 400 ms)")
	duration := flag.Duration("duration", 0, "leave after this long (0 = until SIGINT)")
	unpublishVideo := flag.Duration("unpublish-video-after", 0, "unpublish the video this long after publishing it (0 = never)")
	flag.Parse()

	r, err := lksdk.ConnectToRoom(*url, lksdk.ConnectInfo{APIKey: *key, APISecret: *secret, RoomName: *room,
		ParticipantIdentity: *identity}, &lksdk.RoomCallback{}, lksdk.WithAutoSubscribe(false))
	if err != nil {
		fail(err)
	}
	start := time.Now()
	fmt.Println("joined", *room, "as", *identity)
	if *audio != "" {
		t, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
		if err != nil {
			fail(err)
		}
		p := &oggLoop{path: *audio}
		go writeAudio(t, p, *dtxFrom, *dtxTo)
		if _, err := r.LocalParticipant.PublishTrack(t, &lksdk.TrackPublicationOptions{Name: "mic", Source: livekit.TrackSource_MICROPHONE}); err != nil {
			fail(err)
		}
		fmt.Println("published audio at", time.Since(start))
	}
	if *video != "" {
		go func() {
			time.Sleep(*videoDelay)
			t, err := lksdk.NewLocalFileTrack(*video, lksdk.ReaderTrackWithFrameDuration(time.Second/30),
				lksdk.ReaderTrackWithOnWriteComplete(func() { fmt.Println("video file finished at", time.Since(start)) }))
			if err != nil {
				fail(err)
			}
			pub, err := r.LocalParticipant.PublishTrack(t, &lksdk.TrackPublicationOptions{Name: "camera",
				Source: livekit.TrackSource_CAMERA, VideoWidth: 640, VideoHeight: 360})
			if err != nil {
				fail(err)
			}
			fmt.Println("published video at", time.Since(start))
			if *unpublishVideo > 0 {
				time.Sleep(*unpublishVideo)
				if err := r.LocalParticipant.UnpublishTrack(pub.SID()); err != nil {
					fail(err)
				}
				fmt.Println("unpublished video at", time.Since(start))
			}
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	if *duration > 0 {
		select {
		case <-sig:
		case <-time.After(*duration):
		}
	} else {
		<-sig
	}
	r.Disconnect()
	fmt.Println("left after", time.Since(start))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "testpublisher:", err)
	os.Exit(1)
}

// writeAudio paces an Ogg Opus file onto the track in real time. Between from
// and to it simulates DTX as a browser does it: only one packet per 400 ms is
// sent, and its RTP timestamp is its capture time (we pass the wall-clock
// Timestamp, so the SDK advances RTP time by the real gap, not by a made-up
// duration).
func writeAudio(t *lksdk.LocalTrack, p *oggLoop, from, to time.Duration) {
	next := time.Now()
	var pos, sinceSent time.Duration
	for {
		pkt, d, err := p.next()
		if err != nil {
			fail(err)
		}
		inDTX := pos >= from && pos < to
		if !inDTX || sinceSent == 0 || sinceSent >= 400*time.Millisecond {
			if err := t.WriteSample(media.Sample{Data: pkt, Duration: d, Timestamp: next}, nil); err != nil {
				fail(err)
			}
			sinceSent = 0
		}
		if inDTX {
			sinceSent += d
		} else {
			sinceSent = 0
		}
		pos += d
		next = next.Add(d)
		time.Sleep(time.Until(next))
	}
}

// oggLoop reads the packets of an Ogg Opus file, over and over.
type oggLoop struct {
	path string
	f    *os.File
	r    *oggreader.OggReader
}

func (p *oggLoop) next() ([]byte, time.Duration, error) {
	for {
		if p.r == nil {
			f, err := os.Open(p.path)
			if err != nil {
				return nil, 0, err
			}
			p.f = f
			if p.r, _, err = oggreader.NewOggReader(f); err != nil {
				return nil, 0, err
			}
		}
		pkt, err := p.r.ReadPacket()
		if err == io.EOF {
			p.f.Close()
			p.r = nil
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		d, err := oggreader.ParsePacketDuration(pkt)
		if err != nil {
			return nil, 0, err
		}
		return pkt, d, nil
	}
}
