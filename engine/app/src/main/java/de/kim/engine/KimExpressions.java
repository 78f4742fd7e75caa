package de.kim.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Helpers the models may call as ${kim.…}. Variables set over REST are plain strings (list variables
 * would need a JSON data format the engine does not have here), so a multi-instance collection is
 * passed as a comma-separated string and turned into a list by ${kim.list(ids)}; the other way,
 * ${kim.csv(list)} turns a list an engine expression produced (e.g. a decision's collect result) into
 * such a string, so that no Java-serialised object has to be stored as a variable.
 */
public class KimExpressions {
  public List<String> list(Object csv) {
    List<String> out = new ArrayList<>();
    if (csv == null) return out;
    if (csv instanceof Iterable<?> it) {
      for (Object o : it) if (o != null) out.add(String.valueOf(o));
      return out;
    }
    for (String s : String.valueOf(csv).split(",")) {
      String v = s.trim();
      if (!v.isEmpty()) out.add(v);
    }
    return out;
  }

  public String csv(Object list) {
    if (list == null) return "";
    if (list instanceof Iterable<?> it) {
      StringBuilder b = new StringBuilder();
      for (Object o : it) {
        if (o == null) continue;
        if (b.length() > 0) b.append(',');
        b.append(o);
      }
      return b.toString();
    }
    return String.valueOf(list);
  }
}
