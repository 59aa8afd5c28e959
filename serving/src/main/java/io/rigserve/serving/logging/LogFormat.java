package io.rigserve.serving.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.typesafe.config.Config;
import io.rigserve.cluster.settings.SettingsReader;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How the rig writes its log ({@code rigserve.log.format}): {@code text}, the pattern of
 * logback.xml, or {@code json}, one JSON object a line (logback's own {@link JsonEncoder}: time,
 * level, logger, thread, formatted message, the MDC with the request's ids, and the exception) for log
 * collectors. Chosen at start, so one setting switches it without another logback file.
 */
public enum LogFormat {
  TEXT,
  JSON;

  public static LogFormat from(Config config) {
    SettingsReader s = new SettingsReader(config, "rigserve.log");
    return valueOf(s.oneOf("format", List.of("text", "json")).toUpperCase(Locale.ROOT));
  }

  /** Applies this format to every stream appender of the root logger (text leaves logback.xml's as it is). */
  public void apply() {
    if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream) applyTo(stream);
    }
  }

  /** Writes JSON lines to {@code stream} from now on. */
  static void applyTo(OutputStreamAppender<ILoggingEvent> stream) {
    JsonEncoder json = new JsonEncoder();
    json.setContext(stream.getContext());
    // The message as written, not its template and arguments; no logger-context noise on every line.
    json.setWithFormattedMessage(true);
    json.setWithMessage(false);
    json.setWithArguments(false);
    json.setWithContext(false);
    json.setWithSequenceNumber(false);
    json.start();
    // Swapped in place, at start: the JSON encoder has no header to write, and stopping the
    // appender would close its stream.
    stream.setEncoder(json);
  }
}
