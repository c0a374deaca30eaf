package frame

// AppendEventSource appends frame wrapped for the EventSource transport
// (docs/protocol.md#eventsource): "data: " + esc(frame) + "\r\n\r\n", where esc writes %
// as %25, CR as %0D, LF as %0A and NUL as %00 and changes nothing else. The
// client percent-decodes every data line, so a literal "%41" in a message
// would otherwise arrive as "A"; CR and LF would end the data line early.
func AppendEventSource(dst, frame []byte) []byte {
	dst = append(dst, "data: "...)
	start := 0 // first byte of the run not yet copied to dst
	for i, b := range frame {
		var esc string
		switch b {
		case '%':
			esc = "%25"
		case '\r':
			esc = "%0D"
		case '\n':
			esc = "%0A"
		case 0:
			esc = "%00"
		default:
			continue
		}
		dst = append(dst, frame[start:i]...)
		dst = append(dst, esc...)
		start = i + 1
	}
	dst = append(dst, frame[start:]...)
	return append(dst, "\r\n\r\n"...)
}

// AppendHTMLFile appends frame wrapped for the htmlfile transport
// (docs/protocol.md#htmlfile): "<script>\np(" + J(frame) + ");\n</script>\r\n", where
// J(frame) is the frame text as a JSON string literal escaped like
// AppendString and, in addition, with < > & written as \u003c \u003e \u0026,
// so that no message can close the script block or open another.
func AppendHTMLFile(dst, frame []byte) []byte {
	dst = append(dst, "<script>\np("...)
	dst = appendQuoted(dst, frame, scriptEscapes)
	return append(dst, ");\n</script>\r\n"...)
}

// AppendJSONP appends frame wrapped for the JSONP polling transport
// (docs/protocol.md#jsonp-polling): "/**/" + callback + "(" + J(frame) + ");\r\n", with J as
// in AppendHTMLFile. The leading empty comment defeats the "Rosetta Flash"
// attack, which needs the response to start with attacker-chosen bytes.
// callback is written as is: the caller must have checked it with
// ValidCallback.
func AppendJSONP(dst []byte, callback string, frame []byte) []byte {
	dst = append(dst, "/**/"...)
	dst = append(dst, callback...)
	dst = append(dst, '(')
	dst = appendQuoted(dst, frame, scriptEscapes)
	return append(dst, ");\r\n"...)
}
