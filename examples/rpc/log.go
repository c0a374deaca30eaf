package main

import (
	"log/slog"
	"os"
)

// slogDefault logs the Handler's errors (a panic in serve, with its stack)
// to stderr; set the level to Debug to see every session and rejected
// request.
func slogDefault() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
