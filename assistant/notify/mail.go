package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// smtpTimeout bounds one email, connection to QUIT.
const smtpTimeout = 20 * time.Second

// sendMail sends m to one address over the organization's SMTP server:
// STARTTLS (required, not opportunistic), TLS from the first byte, or
// plain ("none", for a relay on the same host or network).
func sendMail(ctx context.Context, s Settings, to string, m Message) error {
	from, err := mail.ParseAddress(s.SMTPFrom)
	if err != nil {
		return fmt.Errorf("%w: smtp_from", ErrInvalid)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("%w: the user's email address", ErrInvalid)
	}
	host, _, err := net.SplitHostPort(s.SMTPAddr)
	if err != nil {
		return fmt.Errorf("%w: smtp_addr", ErrInvalid)
	}
	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.SMTPAddr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	if s.SMTPTLS == "tls" {
		conn = tls.Client(conn, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if s.SMTPTLS == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the SMTP server offers no STARTTLS (set smtp_tls to none only for a trusted relay)")
		}
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	if s.SMTPUsername != "" {
		if err := c.Auth(smtp.PlainAuth("", s.SMTPUsername, s.SMTPPassword, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.email(from, rcpt)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// email is m as a plain-text MIME message.
func (m Message) email(from, to *mail.Address) []byte {
	var body bytes.Buffer
	qp := quotedprintable.NewWriter(&body)
	for _, l := range m.Lines {
		fmt.Fprintln(qp, l.Text)
		if l.URL != "" {
			fmt.Fprintln(qp, l.URL)
		}
		fmt.Fprintln(qp)
	}
	fmt.Fprintln(qp, "-- Taiwa")
	qp.Close()
	id := make([]byte, 12)
	rand.Read(id)
	domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
	var b bytes.Buffer
	for _, h := range [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Date", time.Now().Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		{"Auto-Submitted", "auto-generated"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body.Bytes()) // quotedprintable writes CRLF line breaks
	return b.Bytes()
}
