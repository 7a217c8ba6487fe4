package io.agentlake.transforms.sources.cloudtrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentlake.transforms.ReferenceFrame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The data that maps a CloudTrail event to the IAM action(s) it exercises: eventSource hosts whose
 * IAM prefix is not {@code <host minus .amazonaws.com>} (from iann0036/iam-dataset, MIT), and event
 * names that differ from their action (S3 above all). Kept as data files beside this class so the
 * mapping is reviewed and tested as data, not buried in code.
 */
public final class CloudTrailActions {

  public static final StructType SOURCE_PREFIXES =
      StructType.fromDDL("event_source STRING NOT NULL, prefix STRING NOT NULL");
  public static final StructType EVENT_ACTIONS =
      StructType.fromDDL(
          "event_source STRING NOT NULL, event_name STRING NOT NULL, action STRING NOT NULL,"
              + " on_resource STRING NOT NULL");

  /** The action applies to the request's own resource (bucketName): the default. */
  public static final String TARGET = "target";

  /** The action applies to the copy source ({@code x-amz-copy-source}), as CopyObject's read. */
  public static final String COPY_SOURCE = "copy-source";

  private CloudTrailActions() {}

  /** eventSource → IAM prefix, for the hosts that do not follow the default rule. */
  public static List<Row> sourcePrefixRows() {
    try (InputStream in = resource("cloudtrail-eventsource-exceptions.json")) {
      JsonNode root = new ObjectMapper().readTree(in).get("prefix_to_eventSources");
      List<Row> rows = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        for (JsonNode host : e.getValue()) {
          rows.add(RowFactory.create(host.asText(), e.getKey()));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("bundled eventSource exceptions are unreadable", e);
    }
  }

  /**
   * (eventSource, eventName) → IAM action and the resource it applies to ({@link #TARGET} or {@link
   * #COPY_SOURCE}), for events named differently from their action.
   */
  public static List<Row> eventActionRows() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                resource("cloudtrail-event-actions.csv"), StandardCharsets.UTF_8))) {
      List<Row> rows = new ArrayList<>();
      boolean header = true;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (header) {
          header = false;
          continue;
        }
        String[] parts = line.split(",", -1);
        String on = parts.length == 4 ? parts[3].trim() : TARGET;
        if (parts.length < 3
            || parts.length > 4
            || !(on.equals(TARGET) || on.equals(COPY_SOURCE))) {
          throw new IllegalStateException(
              "bad row in cloudtrail-event-actions.csv: "
                  + line
                  + " (expected event_source,event_name,action[,target|copy-source])");
        }
        rows.add(RowFactory.create(parts[0].trim(), parts[1].trim(), parts[2].trim(), on));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("bundled event-name exceptions are unreadable", e);
    }
  }

  private static final ReferenceFrame SOURCE_PREFIX_FRAME =
      new ReferenceFrame(CloudTrailActions::sourcePrefixRows, SOURCE_PREFIXES);
  private static final ReferenceFrame EVENT_ACTION_FRAME =
      new ReferenceFrame(CloudTrailActions::eventActionRows, EVENT_ACTIONS);

  /** {@link #sourcePrefixRows()} in {@code spark}, made once per session and checkpointed. */
  public static Dataset<Row> sourcePrefixes(SparkSession spark) {
    return SOURCE_PREFIX_FRAME.in(spark);
  }

  /** {@link #eventActionRows()} in {@code spark}, made once per session and checkpointed. */
  public static Dataset<Row> eventActions(SparkSession spark) {
    return EVENT_ACTION_FRAME.in(spark);
  }

  private static InputStream resource(String name) {
    InputStream in = CloudTrailActions.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("bundled resource missing: " + name);
    }
    return in;
  }
}
