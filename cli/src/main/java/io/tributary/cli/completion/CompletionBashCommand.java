package io.tributary.cli.completion;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tributary completion bash}: picocli's generated bash (and zsh) completion script. */
@Command(name = "bash", description = {"Print the bash completion script (zsh reads it too, after "
        + "`autoload -U +X bashcompinit && bashcompinit`).",
        "Load it now with `source <(tributary completion bash)`, or for good with "
                + "`tributary completion bash > /etc/bash_completion.d/tributary`."})
final class CompletionBashCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash(root.getCommandName(), root));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
