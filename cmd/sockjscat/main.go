// Command sockjscat connects to a SockJS service, sends each line of its
// standard input as a message and prints each message it receives as a
// line on standard output. When the connection closes it prints
// "closed CODE REASON" on standard error. Once standard input ends it keeps
// reading for -linger, then closes with 1000. Messages are printed as they
// are: one that holds a newline takes several lines.
//
//	go install github.com/gosockjs/sockjs/cmd/sockjscat@latest
//	echo hello | sockjscat http://localhost:8081/echo
//	sockjscat -transport xhr-polling http://localhost:8081/close
//
// It exits with status 0 when the connection ends normally (the server
// closed it, or it closed after -linger), 1 when it could not connect or
// the connection was lost, 2 for bad arguments.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gosockjs/sockjs/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// headers is the -H flag: "Name: value", repeatable.
type headers http.Header

func (h headers) String() string { return "" }

func (h headers) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return errors.New(`want "Name: value"`)
	}
	http.Header(h).Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

// run is the command, with its arguments, input and outputs; it returns the
// exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sockjscat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	transport := fs.String("transport", "", "the only transport to try: websocket, xhr-streaming, eventsource or xhr-polling (default: each in that order)")
	linger := fs.Duration("linger", time.Second, "how long to keep reading after standard input ends")
	dialTimeout := fs.Duration("timeout", 30*time.Second, "how long connecting may take")
	header := headers{}
	fs.Var(header, "H", `a header for every request, "Name: value" (repeatable)`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sockjscat [flags] URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	opts := &client.Options{Header: http.Header(header)}
	if *transport != "" {
		opts.Transports = []string{*transport}
	}

	dialCtx, cancel := context.WithTimeout(ctx, *dialTimeout)
	c, err := client.Dial(dialCtx, fs.Arg(0), opts)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "sockjscat: %v\n", err)
		return 1
	}

	// Standard input: each line is a message. Reading it cannot be
	// cancelled; the goroutine ends with the input or with the process.
	stdinDone := make(chan struct{})
	go func() {
		defer close(stdinDone)
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			if c.Send(ctx, sc.Text()) != nil {
				return
			}
		}
	}()

	// Reading ends with the connection, or -linger after the input ends,
	// or on a signal.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	go func() {
		select {
		case <-stdinDone:
		case <-readCtx.Done():
			return
		}
		t := time.NewTimer(*linger)
		defer t.Stop()
		select {
		case <-t.C:
			stopReading()
		case <-readCtx.Done():
		}
	}()

	out := bufio.NewWriter(stdout)
	for {
		msg, err := c.Recv(readCtx)
		if err == nil {
			out.WriteString(msg)
			out.WriteByte('\n')
			out.Flush()
			continue
		}
		out.Flush()
		var ce *client.CloseError
		if errors.As(err, &ce) {
			fmt.Fprintf(stderr, "closed %d %s\n", ce.Code, ce.Reason)
			if ce.Err != nil {
				fmt.Fprintf(stderr, "sockjscat: %v\n", ce.Err)
			}
			if ce.Code == client.CodeConnectionLost {
				return 1
			}
			return 0
		}
		_ = c.Close(client.CodeNormal, "Normal closure")
		fmt.Fprintf(stderr, "closed %d %s\n", client.CodeNormal, "Normal closure")
		return 0
	}
}
