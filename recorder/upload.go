package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// uploader puts finished track files into the bucket.
type uploader struct {
	client *minio.Client
	bucket string
	log    *slog.Logger
}

func newUploader(c *config, log *slog.Logger) (*uploader, error) {
	client, err := minio.New(c.S3Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(c.S3AccessKeyID, c.S3SecretKey, ""),
		Secure:       c.S3Secure,
		Region:       c.S3Region,
		BucketLookup: minio.BucketLookupPath, // versitygw/minio on localhost have no virtual hosts
	})
	if err != nil {
		return nil, err
	}
	return &uploader{client: client, bucket: c.S3Bucket, log: log}, nil
}

// location is what LiveKit egress reports in FileInfo.location.
func (u *uploader) location(key string) string {
	return fmt.Sprintf("s3://%s/%s", u.bucket, key)
}

// contentType for the object, so a browser or ffmpeg fetching it by URL knows.
func contentType(ext string) string {
	if ext == "ogg" {
		return "audio/ogg"
	}
	return "video/x-ivf"
}

const uploadAttempts = 5

// upload sends the file, retrying with backoff (1, 2, 4, 8 s) on failure.
// FPutObject switches to multipart for large files, so memory stays flat.
func (u *uploader) upload(ctx context.Context, path, key, ctype string) (int64, error) {
	var lastErr error
	delay := time.Second
	for attempt := 1; attempt <= uploadAttempts; attempt++ {
		start := time.Now()
		info, err := u.client.FPutObject(ctx, u.bucket, key, path, minio.PutObjectOptions{ContentType: ctype})
		if err == nil {
			u.log.Info("uploaded", "key", key, "bytes", info.Size, "ms", time.Since(start).Milliseconds())
			return info.Size, nil
		}
		lastErr = err
		u.log.Warn("upload failed", "key", key, "attempt", attempt, "error", err.Error())
		if attempt == uploadAttempts {
			break
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
	return 0, fmt.Errorf("upload to %s failed after %d attempts: %w", u.location(key), uploadAttempts, lastErr)
}
