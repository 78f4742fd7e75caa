package de.kim.engine;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The KIM engine: Operaton with its REST API, the inbox projection and the KIM history level. */
@SpringBootApplication
public class KimEngineApplication {
  public static void main(String[] args) {
    SpringApplication.run(KimEngineApplication.class, args);
  }
}
