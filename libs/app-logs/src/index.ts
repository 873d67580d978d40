export { APP_EVENTS, AppEvent, AppEventSink } from './app-events.port';
export { AppEventsModule } from './app-events.module';
