package io.agentlake.transforms.sources;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * The columns of a source's {@code silver.identities} rows ({@link SourceSilver#identities}), set
 * by name: a source states what its export knows, and what it does not know is null, but for {@code
 * status}, ACTIVE unless set, and {@code attributes}, empty unless set. {@code platform} is not
 * here: the core takes it from the source package.
 */
public final class IdentityRow {

  private final Map<String, Column> columns = new LinkedHashMap<>();

  private IdentityRow(Column identityId, Column kind, String source) {
    columns.put("identity_id", identityId);
    columns.put("kind", kind);
    columns.put("source", lit(source));
    columns.put("native_id", lit(null).cast("string"));
    columns.put("display_name", lit(null).cast("string"));
    columns.put("status", lit("ACTIVE"));
    columns.put("account_id", lit(null).cast("string"));
    columns.put("created_at", lit(null).cast("timestamp"));
    columns.put("status_changed_at", lit(null).cast("timestamp"));
    columns.put("last_seen_at", lit(null).cast("timestamp"));
    columns.put("attributes", expr("cast(map() as map<string,string>)"));
  }

  /** An identity of {@code kind} from {@code source} (its folder name). */
  public static IdentityRow of(Column identityId, String kind, String source) {
    return new IdentityRow(identityId, lit(kind), source);
  }

  public static IdentityRow of(Column identityId, Column kind, String source) {
    return new IdentityRow(identityId, kind, source);
  }

  /** The id the source itself gives the identity. */
  public IdentityRow nativeId(Column c) {
    return set("native_id", c);
  }

  public IdentityRow displayName(Column c) {
    return set("display_name", c);
  }

  public IdentityRow status(Column c) {
    return set("status", c);
  }

  public IdentityRow account(Column c) {
    return set("account_id", c);
  }

  public IdentityRow createdAt(Column c) {
    return set("created_at", c);
  }

  public IdentityRow statusChangedAt(Column c) {
    return set("status_changed_at", c);
  }

  /** When the source itself last saw the identity in use. */
  public IdentityRow lastSeenAt(Column c) {
    return set("last_seen_at", c);
  }

  /** A {@code map<string,string>} of what else the source says about it. */
  public IdentityRow attributes(Column c) {
    return set("attributes", c);
  }

  /** The columns, named and in the table's order, for {@code select}. */
  public Column[] columns() {
    return columns.entrySet().stream().map(e -> e.getValue().as(e.getKey())).toArray(Column[]::new);
  }

  private IdentityRow set(String name, Column c) {
    columns.put(name, c);
    return this;
  }
}
