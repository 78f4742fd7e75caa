package de.kim.engine;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.filter.OncePerRequestFilter;

@Configuration
public class KimEngineConfiguration {

  @Bean(name = "kim")
  public KimExpressions kim() {
    return new KimExpressions();
  }

  /** Runs after the starter's own configuration plugins, so its history level is the one that counts. */
  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  public KimEnginePlugin kimEnginePlugin(@Value("${kim.app-schema:public}") String appSchema) {
    return new KimEnginePlugin(appSchema);
  }

  /**
   * HTTP Basic authentication for the REST API whenever a password is configured (always when the
   * engine listens beyond loopback, e.g. in docker-compose).
   */
  @Bean
  public FilterRegistrationBean<OncePerRequestFilter> kimBasicAuth(
      @Value("${kim.auth.username:kim}") String username, @Value("${kim.auth.password:}") String password) {
    byte[] expected = ("Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)))
        .getBytes(StandardCharsets.UTF_8);
    OncePerRequestFilter filter = new OncePerRequestFilter() {
      @Override
      protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws ServletException, IOException {
        String given = req.getHeader("Authorization");
        if (password.isEmpty() || (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8)))) {
          chain.doFilter(req, res);
          return;
        }
        res.setHeader("WWW-Authenticate", "Basic realm=\"kim-engine\"");
        res.sendError(HttpServletResponse.SC_UNAUTHORIZED);
      }
    };
    FilterRegistrationBean<OncePerRequestFilter> reg = new FilterRegistrationBean<>(filter);
    reg.addUrlPatterns("/engine-rest/*", "/kim-admin/*");
    reg.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return reg;
  }

  @Bean
  @ConditionalOnProperty(name = "kim.test-engines.enabled", havingValue = "true")
  public ServletRegistrationBean<TestEngines> kimTestEngines(KimExpressions kim, @Value("${kim.app-schema:public}") String appSchema) {
    return new ServletRegistrationBean<>(new TestEngines(kim, appSchema), "/kim-admin/*");
  }
}
