# Shared by the media benchmarks (sourced, not run). Needs the worker-agent jar.

# bench_ffmpeg_env JAR WORK: sets FFDIR and FFMPEG to the FFmpeg bundled by JavaCPP in the agent
# jar, and LD_LIBRARY_PATH so that binary starts (libva under the soname it asks for).
bench_ffmpeg_env() {
  FFDIR=$(java -cp "$1" bench/agent-ffmpeg-path.java)
  FFMPEG="$FFDIR/ffmpeg"
  mkdir -p "$2/lib"
  ln -sf "$FFDIR/libva.so" "$2/lib/libva.so.2"; ln -sf "$FFDIR/libva-drm.so" "$2/lib/libva-drm.so.2"
  export LD_LIBRARY_PATH="$FFDIR:$2/lib"
}

# bench_ts_source OUT SECONDS: a 1280x720@25 ~3 Mbit/s H.264 (2 s GOP) + AAC MPEG-TS file.
bench_ts_source() {
  echo "generating a $2 s 1280x720@25 ~3 Mbit/s H.264+AAC MPEG-TS source..."
  mkdir -p "$(dirname "$1")"
  "$FFMPEG" -hide_banner -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$2" -c:v libx264 -preset veryfast -b:v 3M -maxrate 3M \
    -bufsize 3M -g 50 -pix_fmt yuv420p -c:a aac -b:a 128k "$1"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
