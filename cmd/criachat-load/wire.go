package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// wireClient is one load client's keep-alive HTTP/1.1 connection, written
// and read on the caller's goroutine: a request is one write of bytes built
// ahead, the response is parsed by net/http. The load generator shares the
// server's two cores; net/http's Transport (a reader and a writer goroutine
// per connection, a request object per call) took about a fifth of a core
// at 2,000 requests/s, CPU the server could not use. Real clients run
// elsewhere.
type wireClient struct {
	addr, token string
	conn        net.Conn
	r           *bufio.Reader
}

func (s *server) wireClient() *wireClient {
	return &wireClient{addr: strings.TrimPrefix(s.base, "http://"), token: s.token}
}

// post sends a JSON body to path and reads the whole response; a non-200
// status is an error with its body. A broken connection is dropped, and the
// next call dials again.
func (c *wireClient) post(path string, body []byte) error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 16<<10)
	}
	req := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\napi_access_token: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		path, c.addr, c.token, len(body))
	if _, err := c.conn.Write(append(req, body...)); err != nil {
		c.close()
		return err
	}
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.Close {
		c.close()
	}
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, raw)
	}
	return nil
}

func (c *wireClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}
