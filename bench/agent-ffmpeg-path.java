// Prints the directory of the ffmpeg executable bundled in the worker-agent jar (JavaCPP cache).
// Used by bench/agent-remux.sh: java -cp worker-agent.jar bench/agent-ffmpeg-path.java
public class AgentFfmpegPath {
    public static void main(String[] args) throws Exception {
        String p = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        System.out.println(new java.io.File(p).getParent());
    }
}
