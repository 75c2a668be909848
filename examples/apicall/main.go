// Command apicall calls an API with the token of a profile that
// `go run ./host login` created: PROFILE=work go run ./examples/apicall URL
package main

import (
	"context"
	"io"
	"log"
	"os"

	"github.com/wasmlogin/wasmlogin/host/tokensource"
)

func main() {
	ctx := context.Background()
	src, err := tokensource.New(ctx, tokensource.Options{Profile: os.Getenv("PROFILE")})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	resp, err := src.Client(ctx).Get(os.Args[1]) // the plugin refreshes as needed
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(os.Stdout, resp.Body)
}
