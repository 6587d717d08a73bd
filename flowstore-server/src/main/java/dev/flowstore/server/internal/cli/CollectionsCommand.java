package dev.flowstore.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flowstore.Collection;
import dev.flowstore.CollectionSpec;
import dev.flowstore.ErrorCode;
import dev.flowstore.Flowstore;
import dev.flowstore.FlowstoreException;
import dev.flowstore.IndexedField;
import dev.flowstore.internal.CollectionRules;
import dev.flowstore.internal.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowstore collections apply FILE|list}: record collections' declarations. */
@Command(
    name = "collections",
    mixinStandardHelpOptions = true,
    description = "Declares and lists record collections (the same for every tenant).")
public final class CollectionsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand (apply or list)");
  }

  /** {@code flowstore collections apply FILE}. */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Declares the collections of a YAML (or JSON) file: 'collections:' and a list of",
        "{name, schema, indexed: [{pointer, type}], unique, parent}. Idempotent: an unchanged",
        "collection keeps its version; a changed one builds its new indexes before the next.",
        "Every declaration is checked before the first is applied; parents go first."
      })
  public static final class Apply implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(paramLabel = "FILE", description = "The collections file (YAML or JSON).")
    Path file;

    @Spec CommandSpec spec;

    public Apply(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      List<CollectionSpec> specs = read(file);
      PrintWriter out = spec.commandLine().getOut();
      try (Flowstore flowstore = Flowstore.open(ctx.config(Map.of()))) {
        for (CollectionSpec s : parentsFirst(specs)) {
          Optional<Collection> before = flowstore.collections().get(s.name());
          Collection after = flowstore.collections().declare(s);
          String what =
              before.isEmpty()
                  ? "declared"
                  : before.get().version() == after.version() ? "unchanged" : "changed";
          out.println(s.name() + ": version " + after.version() + " (" + what + ")");
        }
      }
      return ExitCodes.OK;
    }
  }

  /** {@code flowstore collections list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the declared collections: name, version, parent, indexed fields.")
  public static final class ListCollections implements Callable<Integer> {
    private final CliContext ctx;

    @Spec CommandSpec spec;

    public ListCollections(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Flowstore flowstore = Flowstore.open(ctx.config(Map.of()))) {
        for (Collection c : flowstore.collections().list()) {
          String fields =
              c.spec().indexed().stream()
                  .map(f -> describe(c, f))
                  .collect(Collectors.joining(", "));
          out.println(
              c.name()
                  + "\tversion "
                  + c.version()
                  + (c.spec().parent() == null ? "" : "\tparent " + c.spec().parent())
                  + "\tindexed: "
                  + (fields.isEmpty() ? "-" : fields)
                  + (c.fullTextReady() ? "" : "\tfull text (building)"));
        }
      }
      return ExitCodes.OK;
    }

    private static String describe(Collection c, IndexedField f) {
      return f.pointer()
          + " "
          + f.type().name().toLowerCase(java.util.Locale.ROOT)
          + (c.spec().unique().contains(f.pointer()) ? " unique" : "")
          + (c.readyFields().contains(f) ? "" : " (building)");
    }
  }

  /** The declarations of a file, each checked; INVALID_ARGUMENT naming the file and entry. */
  static List<CollectionSpec> read(Path file) {
    JsonNode root;
    try {
      // why made here, not in a static field: the CLI builds every command at start, and the YAML
      // module must not be needed for that (BrokenClasspathE2eTest starts the server without it)
      root = new YAMLMapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT,
          file + ": cannot read it as YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    JsonNode list = root == null ? null : root.isArray() ? root : root.get("collections");
    if (list == null || !list.isArray())
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, file + ": expected 'collections:' and a list of collections");
    List<CollectionSpec> specs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        // why through JSON text: the same strict checks as a declaration over HTTP
        CollectionSpec s =
            CollectionRules.check(
                CollectionRules.fromJson(Json.parse("collection", Json.write(list.get(i)))));
        if (!names.add(s.name()))
          throw new FlowstoreException(
              ErrorCode.INVALID_ARGUMENT, "collection '" + s.name() + "' is listed twice");
        specs.add(s);
      } catch (FlowstoreException e) {
        throw new FlowstoreException(
            e.code(), file + ": collection " + (i + 1) + ": " + e.getMessage());
      }
    }
    return specs;
  }

  /** The specs with each parent declared in the file before its children. */
  static List<CollectionSpec> parentsFirst(List<CollectionSpec> specs) {
    Set<String> inFile = specs.stream().map(CollectionSpec::name).collect(Collectors.toSet());
    List<CollectionSpec> ordered = new ArrayList<>();
    Set<String> done = new HashSet<>();
    List<CollectionSpec> left = new ArrayList<>(specs);
    while (!left.isEmpty()) {
      boolean moved = false;
      for (var it = left.iterator(); it.hasNext(); ) {
        CollectionSpec s = it.next();
        String p = s.parent();
        if (p == null || p.equals(s.name()) || !inFile.contains(p) || done.contains(p)) {
          ordered.add(s);
          done.add(s.name());
          it.remove();
          moved = true;
        }
      }
      if (!moved)
        throw new FlowstoreException(
            ErrorCode.INVALID_ARGUMENT,
            "the parents of "
                + left.stream().map(CollectionSpec::name).toList()
                + " form a cycle: a collection's parent chain must end");
    }
    return ordered;
  }
}
