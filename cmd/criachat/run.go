package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/config"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version from the build info is used.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `usage: criachat [command] [flags]

commands:
  serve                 run migrations, then serve HTTP until SIGINT/SIGTERM (the default)
  migrate               run migrations and exit
  setup                 create an account, its administrator and their access token
                        --account-name NAME --name NAME --email EMAIL --password PW [--json]
  platform-app create   create a Platform API app and print its token: --name NAME [--json]
  version               print the version

configuration comes from CRIACHAT_* environment variables (see README.md)`

// Run runs one command line. Tests call it the way main does.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "criachat", buildVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "serve", "migrate", "setup", "platform-app":
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	m := NewMain(cfg, stderr)
	switch cmd {
	case "serve":
		return m.Serve(ctx)
	case "migrate":
		defer m.Close()
		return m.Open(ctx)
	case "setup":
		return runSetup(ctx, m, args, stdout, stderr)
	default:
		return runPlatformApp(ctx, m, args, stdout, stderr)
	}
}

func runSetup(ctx context.Context, m *Main, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var p account.SetupParams
	fs.StringVar(&p.AccountName, "account-name", "", "name of the new account")
	fs.StringVar(&p.Name, "name", "", "full name of the administrator")
	fs.StringVar(&p.Email, "email", "", "email of the administrator")
	fs.StringVar(&p.Password, "password", "", "password of the administrator (at least 8 characters)")
	asJSON := fs.Bool("json", false, "print one JSON object: account_id, user_id, access_token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if p.AccountName == "" || p.Name == "" || p.Email == "" || p.Password == "" {
		return errors.New("setup needs --account-name, --name, --email and --password")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	res, err := m.Accounts.Setup(ctx, p)
	if err != nil {
		return fmt.Errorf("setup refused: %s", userMessage(err))
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"account_id": res.Account.ID, "user_id": res.User.ID, "access_token": res.AccessToken,
		})
	}
	fmt.Fprintf(stdout, "account %d %q created\nadministrator %d <%s> created\naccess token: %s\n",
		res.Account.ID, res.Account.Name, res.User.ID, res.User.Email, res.AccessToken)
	return nil
}

func runPlatformApp(ctx context.Context, m *Main, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: criachat platform-app create --name NAME [--json]")
	}
	fs := flag.NewFlagSet("platform-app create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "name of the platform app")
	asJSON := fs.Bool("json", false, "print one JSON object: id, name, access_token")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("platform-app create needs --name")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	app, token, err := m.Accounts.CreatePlatformApp(ctx, *name)
	if err != nil {
		return fmt.Errorf("platform-app create refused: %s", userMessage(err))
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"id": app.ID, "name": app.Name, "access_token": token})
	}
	fmt.Fprintf(stdout, "platform app %d %q created\naccess token: %s\n", app.ID, app.Name, token)
	return nil
}
